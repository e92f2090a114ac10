BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

# What a user does on a machine with only PowerShell: register a repository, install SmtpPs from it into
# an empty module path, then use it by name in a new shell. The repository is the local one build.ps1
# published the package to. On Linux and macOS the PSResourceGet store lives under XDG_DATA_HOME and the
# CurrentUser module path under HOME, so the test gives the installing shell private ones and touches
# nothing of the machine's; Windows keeps the CurrentUser path under Documents, where the test removes
# what it installed.
Describe 'Installing the package with Install-PSResource and using it by name' {
    BeforeAll {
        $script:data = Join-Path $TestDrive 'data'
        $null = New-Item -ItemType Directory -Path $data -Force
        $script:environment = @{ XDG_DATA_HOME = $data; LOCALAPPDATA = $data }
        if (-not $IsWindows) { $environment.HOME = $data }

        $install = Join-Path $TestDrive 'install.ps1'
        Set-Content -LiteralPath $install -Value @'
param($Repository)
$ErrorActionPreference = 'Stop'
Register-PSResourceRepository -Name SmtpPsTest -Uri $Repository -Trusted
Install-PSResource -Name SmtpPs -Repository SmtpPsTest -Scope CurrentUser -TrustRepository
$installed = Get-InstalledPSResource -Name SmtpPs -Scope CurrentUser
"INSTALLED=$($installed.InstalledLocation)|$($installed.Version)"
'@
        $script:installOutput = @(Invoke-PwshWithEnvironment $install @($env:SMTPPS_REPOSITORY) -Environment $environment)
        $script:installExit = $LASTEXITCODE
        $line = $installOutput | Where-Object { "$_" -like 'INSTALLED=*' } | Select-Object -Last 1
        $script:modules, $script:installedVersion = "$line".Substring('INSTALLED='.Length) -split '\|'

        $script:server = Start-RecordingServer
        $script:message = New-MessageFile -Text "From: installed@example.org`r`nDate: Wed, 02 Dec 2026 17:00:00 +0000`r`nMessage-ID: <installed@example.org>`r`nSubject: installed`r`n`r`nsent by the installed module`r`n"
        $use = Join-Path $TestDrive 'use.ps1'
        Set-Content -LiteralPath $use -Value @'
param($Port, $Message)
$ErrorActionPreference = 'Stop'
Import-Module SmtpPs
"MODULEBASE=$((Get-Module SmtpPs).ModuleBase)"
Get-Help Send-RawSmtpMail -Examples | Out-String -Width 200
'--- sent ---'
Send-RawSmtpMail -Path $Message -From installed@example.org -To user@example.org -Server 127.0.0.1 -Port $Port | Out-String -Width 200
'@
        # Only the installed module's path: nothing else could answer 'Import-Module SmtpPs'.
        $script:useOutput = @(Invoke-PwshWithEnvironment $use @($server.Port, $message) -Environment ($environment + @{ PSModulePath = $modules }))
        $script:useExit = $LASTEXITCODE
        $script:useText = $useOutput -join "`n"
    }
    AfterAll {
        $server.Dispose()
        if ($IsWindows -and $modules) {
            # Windows installed into the user's real CurrentUser path: take it out again.
            Remove-Item -LiteralPath (Join-Path $modules 'SmtpPs') -Recurse -Force -ErrorAction SilentlyContinue
        }
    }

    It 'installs the package''s version into an empty module path' {
        $installExit | Should -Be 0 -Because ($installOutput -join "`n")
        $props = [xml](Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw)
        $installedVersion | Should -Be @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        if (-not $IsWindows) { $modules | Should -BeLike "$data*" }
        Join-Path $modules "SmtpPs/$installedVersion/SmtpPs.psd1" | Should -Exist
    }

    It 'imports by name from the installed copy, not from the build output' {
        $useExit | Should -Be 0 -Because $useText
        $base = ($useOutput | Where-Object { "$_" -like 'MODULEBASE=*' } | Select-Object -First 1) -replace '^MODULEBASE='
        $base | Should -Be (Join-Path $modules "SmtpPs/$installedVersion")
    }

    It 'shows the examples with Get-Help -Examples' {
        $help = ($useText -split '--- sent ---')[0]
        $help | Should -Match 'EXAMPLE 1'
        $help | Should -Match 'Send-RawSmtpMail -Path'
        $help | Should -Match 'Port 587'
    }

    It 'sends a message, shown through the format view''s table' {
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].From | Should -Be 'installed@example.org'
        $sent = ($useText -split '--- sent ---')[1]
        $header = ($sent -split "`n" | Where-Object { $_ -match '\S' } | Select-Object -First 1)
        $header -split '\s+' | Where-Object { $_ } | Should -Be @('Elapsed', 'Command', 'Code', 'Enh.', 'Text')
        $sent | Should -Match 'MAIL FROM:<installed@'
    }
}
