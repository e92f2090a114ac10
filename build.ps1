<#
.SYNOPSIS
    Builds, tests and demonstrates SmtpPs.
.DESCRIPTION
    Build: compiles the solution and assembles a loadable module under output/SmtpPs/<version>/.
    Test:  builds, then runs the whole Pester suite in a fresh pwsh -NoProfile against the built module.
    Demo:  builds, starts the test ESMTP server on a free loopback port and sends examples/hello.txt.
    Bench: builds, then runs bench/run.ps1 (SmtpPs against MailKit, System.Net.Mail, smtp-source and
           Send-MailMessage on loopback) and writes bench/RESULTS.md. Needs Postfix (see .ci/run).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Demo', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Test: run only the tests with these tags (the 'Soak' test runs only when asked for by tag).
    [string[]] $Tag,

    # Test: run only these test files (default: tests/pester and the examples' tests).
    [string[]] $TestPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot

# The version lives in Directory.Build.props only; the built manifest takes it from there.
$props = [xml](Get-Content -LiteralPath (Join-Path $root 'Directory.Build.props') -Raw)
$version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
$moduleDir = Join-Path $root "output/SmtpPs/$version"
$pesterVersion = '5.7.1'
Import-Module (Join-Path $root 'tools/Pwsh.psm1')

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

function Build-Module {
    Invoke-Dotnet build (Join-Path $root 'SmtpPs.sln') -c $Configuration --nologo -v quiet '-clp:NoSummary'
    if (Test-Path -LiteralPath $moduleDir) { Remove-Item -LiteralPath $moduleDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'en-US') -Force
    # The cmdlet project's output holds SmtpPs.dll, SmtpPs.Core.dll and every dependency they need.
    $bin = Join-Path $root "src/SmtpPs/bin/$Configuration/netstandard2.0"
    Get-ChildItem -LiteralPath $bin -File | Where-Object Extension -in '.dll', '.pdb' |
        Copy-Item -Destination $moduleDir
    # The test server's engine (netstandard2.1, loaded by name at run time, so SmtpPs does not reference it)
    # and what it brings that the cmdlets' folder lacks: SmtpServer and System.IO.Pipelines.
    $engine = Join-Path $root "src/SmtpPs.Testing.Engine/bin/$Configuration/netstandard2.1"
    Get-ChildItem -LiteralPath $engine -File |
        Where-Object { $_.Extension -in '.dll', '.pdb' -and -not (Test-Path -LiteralPath (Join-Path $moduleDir $_.Name)) } |
        Copy-Item -Destination $moduleDir
    Copy-Item -LiteralPath (Join-Path $root 'module/SmtpPs.Format.ps1xml') -Destination $moduleDir
    $manifest = Get-Content -LiteralPath (Join-Path $root 'module/SmtpPs.psd1') -Raw
    $manifest = $manifest -replace "ModuleVersion(\s*)=\s*'[^']*'", "ModuleVersion`$1= '$version'"
    Set-Content -LiteralPath (Join-Path $moduleDir 'SmtpPs.psd1') -Value $manifest -NoNewline
    # The help ships as MAML made from docs/*.md and the cmdlet's own metadata.
    $exit = Invoke-InFreshPwsh (Join-Path $root 'tools/ConvertTo-MamlHelp.ps1') @(
        '-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'),
        '-DocsPath', (Join-Path $root 'docs'),
        '-OutputPath', (Join-Path $moduleDir 'en-US'))
    if ($exit -ne 0) { throw 'Making the MAML help failed.' }
    Write-Host "Built SmtpPs $version into $moduleDir"
}

function Get-PesterManifest {
    $packages = (& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', ''
    $manifest = Join-Path $packages.Trim() "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        # The test helper project downloads Pester into the NuGet cache on restore.
        throw "Pester $pesterVersion is not in the NuGet cache ($manifest); 'dotnet restore' should have put it there."
    }
    return $manifest
}

function Invoke-InFreshPwsh([string] $script, [string[]] $arguments) {
    $pwsh = @(Get-PwshCommand)
    $exe = $pwsh[0]
    $rest = @($pwsh | Select-Object -Skip 1)
    & $exe @rest -NoProfile -NonInteractive -File $script @arguments | Out-Host
    return $LASTEXITCODE
}

$testServer = Join-Path $root "tests/SmtpPs.TestServer/bin/$Configuration/net10.0/SmtpPs.TestServer.dll"

switch ($Task) {
    'Build' {
        Build-Module
    }
    'Test' {
        Build-Module
        $summary = Join-Path ([System.IO.Path]::GetTempPath()) "smtpps-pester-$PID.json"
        $arguments = @(
            '-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'),
            '-PesterPath', (Get-PesterManifest),
            '-TestServerPath', $testServer,
            '-SummaryPath', $summary)
        if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
        if ($TestPath) { $arguments += @('-TestPath', ((($TestPath -split ',') | ForEach-Object { (Resolve-Path -LiteralPath $_).Path }) -join ',')) }
        $exit = Invoke-InFreshPwsh (Join-Path $root 'tests/Invoke-Tests.ps1') $arguments
        if (-not (Test-Path -LiteralPath $summary)) {
            Write-Host 'Pester: 0 passed, 1 failed, 0 skipped'
            exit 1
        }
        $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
        Remove-Item -LiteralPath $summary
        Write-Host "Pester: $($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped"
        if ($exit -ne 0 -or $counts.Failed -gt 0 -or $counts.Passed -eq 0) { exit 1 }
    }
    'Bench' {
        Build-Module
        $exit = Invoke-InFreshPwsh (Join-Path $root 'bench/run.ps1') @('-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'))
        exit $exit
    }
    'Demo' {
        Build-Module
        $exit = Invoke-InFreshPwsh (Join-Path $root 'tools/Demo.ps1') @(
            '-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'),
            '-TestServerPath', $testServer,
            '-MessagePath', (Join-Path $root 'examples/hello.txt'))
        exit $exit
    }
}
