<#
.SYNOPSIS
    Builds, tests and demonstrates SmtpPs.
.DESCRIPTION
    Build: compiles the solution and assembles a loadable module under output/SmtpPs/<version>/, with
           ReadyToRun images for this machine's platform.
    Test:  builds and packs, then runs the whole Pester suite in a fresh pwsh -NoProfile against the built
           module and the package.
    Package: builds with ReadyToRun images for win-x64, linux-x64 and osx-arm64, checks the manifest
           and every DLL against what Windows PowerShell 5.1 can bind (tools/Test-WindowsPowerShellBinding.ps1),
           and publishes the PowerShell Gallery package to output/repository/SmtpPs.<version>.nupkg.
    Demo:  builds, starts the test ESMTP server on a free loopback port and sends examples/hello.txt.
    Bench: builds, then runs bench/run.ps1 (SmtpPs against MailKit, System.Net.Mail, smtp-source and
           Send-MailMessage on loopback) and writes bench/RESULTS.md. Needs Postfix (see .ci/run).
.EXAMPLE
    dotnet tool restore && dotnet pwsh ./build.ps1 -Task Test
#>
[CmdletBinding()]
param(
    [ValidateSet('Build', 'Test', 'Package', 'Demo', 'Bench')]
    [string] $Task = 'Build',

    [ValidateSet('Release', 'Debug')]
    [string] $Configuration = 'Release',

    # Test: run only the tests with these tags (the 'Soak' test runs only when asked for by tag).
    [string[]] $Tag,

    # Test: run only these test files (default: tests/pester and the examples' tests).
    [string[]] $TestPath,

    # Test: the shell the tests run in. WindowsPowerShell runs tests/desktop (the module in Windows
    # PowerShell 5.1, against a test server in this pwsh) with powershell.exe; Windows only.
    [ValidateSet('pwsh', 'WindowsPowerShell')]
    [string] $TestShell = 'pwsh'
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = $PSScriptRoot

# The version lives in Directory.Build.props only; the built manifest takes it from there.
$props = [xml](Get-Content -LiteralPath (Join-Path $root 'Directory.Build.props') -Raw)
$version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
$moduleDir = Join-Path $root "output/SmtpPs/$version"
$pesterVersion = '5.7.1'
# PowerShell 7.6 runs our own assemblies from ReadyToRun images made for these platforms; others run IL.
$readyToRunPlatforms = @('win-x64', 'linux-x64', 'osx-arm64')
Import-Module (Join-Path $root 'tools/Pwsh.psm1')

function Invoke-Dotnet {
    & dotnet @args
    if ($LASTEXITCODE -ne 0) { throw "dotnet $($args -join ' ') failed with exit code $LASTEXITCODE." }
}

function Get-HostPlatform {
    # The runtime identifier ReadyToRun folders are named by (win-x64, linux-x64, osx-arm64), as the loader
    # (src/SmtpPs.Loader/ModuleLoader.cs, src/SmtpPs.LoadContext/ModuleLoadContext.cs) names them; Windows
    # PowerShell 5.1 has none.
    if ($PSVersionTable.PSEdition -ne 'Core') { return $null }
    $os = if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' }
    return "$os-$(([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToString().ToLowerInvariant())"
}

function Copy-Assemblies([string] $from, [string] $to, [string[]] $exclude = @()) {
    $null = New-Item -ItemType Directory -Path $to -Force
    Get-ChildItem -LiteralPath $from -File | Where-Object { $_.Extension -in '.dll', '.pdb' -and $_.BaseName -notin $exclude } |
        Copy-Item -Destination $to
}

function Build-Module([string[]] $ReadyToRun = @(Get-HostPlatform | Where-Object { $_ -in $readyToRunPlatforms })) {
    Invoke-Dotnet build (Join-Path $root 'SmtpPs.sln') -c $Configuration --nologo -v quiet '-clp:NoSummary'
    if (Test-Path -LiteralPath $moduleDir) { Remove-Item -LiteralPath $moduleDir -Recurse -Force }
    $null = New-Item -ItemType Directory -Path (Join-Path $moduleDir 'en-US') -Force
    # Two projects list what each edition ships (see their .csproj): src/SmtpPs.Loader's netstandard2.0
    # output is what Windows PowerShell 5.1 loads (Desktop/), less the loader itself, which both editions load
    # from the module's root; src/SmtpPs.LoadContext's net8.0 output is what PowerShell 7 loads into SmtpPs's
    # own AssemblyLoadContext (Core/, with the builds a library ships for one operating system in
    # Core/runtimes/), and its net10.0 ReadyToRun publish per platform gives PowerShell 7.6 our own
    # assemblies precompiled (Core/<platform>/).
    $loader = Join-Path $root "src/SmtpPs.Loader/bin/$Configuration/netstandard2.0"
    Copy-Assemblies $loader (Join-Path $moduleDir 'Desktop') -exclude 'SmtpPs.Loader'
    Copy-Item -LiteralPath (Join-Path $loader 'SmtpPs.Loader.dll'), (Join-Path $loader 'SmtpPs.Loader.pdb') -Destination $moduleDir
    $loadContext = Join-Path $root 'src/SmtpPs.LoadContext'
    $core = Join-Path $loadContext "bin/$Configuration/net8.0"
    Copy-Assemblies $core (Join-Path $moduleDir 'Core')
    foreach ($library in Get-ChildItem -LiteralPath (Join-Path $core 'runtimes') -Recurse -Filter '*.dll' -File -ErrorAction Ignore) {
        $relative = [System.IO.Path]::GetRelativePath($core, $library.DirectoryName)
        if ($relative -notmatch '[\\/]lib[\\/]net8\.0$') { continue }
        $target = Join-Path $moduleDir "Core/$relative"
        $null = New-Item -ItemType Directory -Path $target -Force
        Copy-Item -LiteralPath $library.FullName -Destination $target
    }
    foreach ($platform in $ReadyToRun) {
        $publish = Join-Path $loadContext "bin/$Configuration/readytorun/$platform"
        Invoke-Dotnet publish $loadContext -c $Configuration -f net10.0 -r $platform --self-contained false `
            '-p:PublishReadyToRun=true' '-p:ReadyToRunImages=true' -o $publish --nologo -v quiet '-clp:NoSummary'
        $native = Join-Path $moduleDir "Core/$platform"
        $null = New-Item -ItemType Directory -Path $native -Force
        Get-ChildItem -LiteralPath $publish -Filter 'SmtpPs*.dll' | Copy-Item -Destination $native
    }
    Copy-Item -LiteralPath (Join-Path $root 'module/SmtpPs.psm1'), (Join-Path $root 'module/SmtpPs.Format.ps1xml'), (Join-Path $root 'LICENSE') -Destination $moduleDir
    $manifest = Get-Content -LiteralPath (Join-Path $root 'module/SmtpPs.psd1') -Raw
    $manifest = $manifest -replace "ModuleVersion(\s*)=\s*'[^']*'", "ModuleVersion`$1= '$version'"
    # String replacement, not -replace: the notes may hold '$'.
    if (-not $manifest.Contains("ReleaseNotes = ''")) { throw "module/SmtpPs.psd1 lost its ReleaseNotes = '' line." }
    $manifest = $manifest.Replace("ReleaseNotes = ''", "ReleaseNotes = '" + (Get-ReleaseNotes).Replace("'", "''") + "'")
    Set-Content -LiteralPath (Join-Path $moduleDir 'SmtpPs.psd1') -Value $manifest -NoNewline
    # The help ships as MAML made from docs/*.md and the cmdlet's own metadata.
    $exit = Invoke-InFreshPwsh (Join-Path $root 'tools/ConvertTo-MamlHelp.ps1') @(
        '-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'),
        '-DocsPath', (Join-Path $root 'docs'),
        '-OutputPath', (Join-Path $moduleDir 'en-US'))
    if ($exit -ne 0) { throw 'Making the MAML help failed.' }
    Write-Host "Built SmtpPs $version into $moduleDir"
}

function Get-ReleaseNotes {
    # The version's section of CHANGELOG.md, the one place for release notes.
    $changelog = Get-Content -LiteralPath (Join-Path $root 'CHANGELOG.md') -Raw
    $pattern = '(?ms)^## ' + [regex]::Escape($version) + '\b[^\n]*\n(.*?)(?=^## |\z)'
    if ($changelog -notmatch $pattern) { throw "CHANGELOG.md has no section '## $version'." }
    return "$version`n" + $Matches[1].Trim()
}

function Get-NuGetPackageFolder {
    return ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
}

function Test-Package {
    <# The checks a package must pass: the manifest, and every DLL against what Windows PowerShell 5.1 can bind. #>
    $null = Test-ModuleManifest -Path (Join-Path $moduleDir 'SmtpPs.psd1') -ErrorAction Stop
    # Both downloaded on restore: the reference assemblies by src/SmtpPs.Loader, PowerShellStandard.Library by src/SmtpPs.
    $packages = Get-NuGetPackageFolder
    $problems = @(& (Join-Path $root 'tools/Test-WindowsPowerShellBinding.ps1') -ModulePath $moduleDir `
            -ReferenceAssembliesPath (Join-Path $packages 'microsoft.netframework.referenceassemblies.net472/1.0.3/build/.NETFramework/v4.7.2') `
            -PowerShellReferencePath (Join-Path $packages 'powershellstandard.library/5.1.1/lib/net452'))
    if ($problems.Count) { throw "$($problems.Count) DLL reference(s) Windows PowerShell 5.1 could not bind (listed above)." }
}

function New-Package {
    <#
    Publishes the built module with PSResourceGet to the local file repository output/repository, which
    leaves SmtpPs.<version>.nupkg there: the package a Gallery would get. The repository is registered in
    a private PSResourceGet store (XDG_DATA_HOME, LOCALAPPDATA), so the user's own is never touched.
    #>
    Test-Package
    $repository = Join-Path $root 'output/repository'
    $null = New-Item -ItemType Directory -Path $repository -Force
    Remove-Item -Path (Join-Path $repository "SmtpPs.$version.nupkg") -ErrorAction SilentlyContinue
    # Created first: .NET takes a data folder that does not exist for none, and PSResourceGet then
    # writes its store relative to the current directory.
    $store = Join-Path ([System.IO.Path]::GetTempPath()) "smtpps-psresourceget-$PID"
    $null = New-Item -ItemType Directory -Path $store -Force
    $saved = $env:XDG_DATA_HOME, $env:LOCALAPPDATA
    try {
        $env:XDG_DATA_HOME = $env:LOCALAPPDATA = $store
        $script = "`$ErrorActionPreference = 'Stop'; Register-PSResourceRepository -Name SmtpPsBuild -Uri '$repository' -Trusted; " +
            "Publish-PSResource -Path '$moduleDir' -Repository SmtpPsBuild"
        $pwsh = @(Get-PwshCommand)
        & $pwsh[0] @($pwsh | Select-Object -Skip 1) -NoProfile -NonInteractive -Command $script | Out-Host
        if ($LASTEXITCODE -ne 0) { throw 'Publish-PSResource failed.' }
    }
    finally {
        $env:XDG_DATA_HOME, $env:LOCALAPPDATA = $saved
        Remove-Item -LiteralPath $store -Recurse -Force -ErrorAction SilentlyContinue
    }
    $package = Join-Path $repository "SmtpPs.$version.nupkg"
    Write-Host "Packed $package"
    return $package
}

function Get-PesterManifest {
    $manifest = Join-Path (Get-NuGetPackageFolder) "pester/$pesterVersion/tools/Pester.psd1"
    if (-not (Test-Path -LiteralPath $manifest)) {
        # The test helper project downloads Pester into the NuGet cache on restore.
        throw "Pester $pesterVersion is not in the NuGet cache ($manifest); 'dotnet restore' should have put it there."
    }
    return $manifest
}

function Invoke-InFreshPwsh([string] $script, [string[]] $arguments, [string[]] $shell = @(Get-PwshCommand)) {
    $pwsh = $shell
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
        $null = New-Package
        $summary = Join-Path ([System.IO.Path]::GetTempPath()) "smtpps-pester-$PID.json"
        $arguments = @(
            '-ModulePath', (Join-Path $moduleDir 'SmtpPs.psd1'),
            '-PesterPath', (Get-PesterManifest),
            '-TestServerPath', $testServer,
            '-RepositoryPath', (Join-Path $root 'output/repository'),
            '-SummaryPath', $summary)
        if ($Tag) { $arguments += @('-Tag', ($Tag -join ',')) }
        $shell = @(Get-PwshCommand)
        if ($TestShell -eq 'WindowsPowerShell') {
            # The tests in 5.1 start their server in this pwsh: the test server needs .NET 10.
            $env:SMTPPS_PWSH = ConvertTo-Json -Compress -InputObject $shell
            $shell = @('powershell.exe')
            if (-not $TestPath) { $TestPath = @(Join-Path $root 'tests/desktop') }
        }
        if ($TestPath) { $arguments += @('-TestPath', ((($TestPath -split ',') | ForEach-Object { (Resolve-Path -LiteralPath $_).Path }) -join ',')) }
        $exit = Invoke-InFreshPwsh (Join-Path $root 'tests/Invoke-Tests.ps1') $arguments $shell
        if (-not (Test-Path -LiteralPath $summary)) {
            Write-Host 'Pester: 0 passed, 1 failed, 0 skipped'
            exit 1
        }
        $counts = Get-Content -LiteralPath $summary -Raw | ConvertFrom-Json
        Remove-Item -LiteralPath $summary
        Write-Host "Pester: $($counts.Passed) passed, $($counts.Failed) failed, $($counts.Skipped) skipped"
        if ($exit -ne 0 -or $counts.Failed -gt 0 -or $counts.Passed -eq 0) { exit 1 }
    }
    'Package' {
        Build-Module -ReadyToRun $readyToRunPlatforms
        $null = New-Package
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
