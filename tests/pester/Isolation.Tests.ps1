BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Dns.psm1') -Force
    $script:dnsSkip = Get-DnsServerSkipReason
    $script:packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()

    function Get-LibraryPath([string] $Library, [string] $Version) {
        <#
        The DLL of another version of a dependency, as tests/SmtpPs.TestServer downloaded it: its build for
        the newest .NET it has, else netstandard2.1, else netstandard2.0.
        #>
        $lib = Join-Path $packages "$($Library.ToLowerInvariant())/$Version/lib"
        $folders = @(Get-ChildItem -LiteralPath $lib -Directory | Where-Object Name -Match '^net\d+\.\d+$' |
                Sort-Object { [version]($_.Name -replace '^net') } -Descending) +
            @(Get-ChildItem -LiteralPath $lib -Directory | Where-Object Name -In 'netstandard2.1', 'netstandard2.0' | Sort-Object Name -Descending)
        return Join-Path $folders[0].FullName "$Library.dll"
    }

    # Runs in a new pwsh: the other version goes into the default load context first (as another module's
    # Import-Module would put it), then SmtpPs is imported and used, then the other version is used again.
    $script:scenario = Join-Path $TestDrive 'scenario.ps1'
    Set-Content -LiteralPath $scenario -Value @'
param($Module, $TestServer, $Library, $LibraryPath, $Context, $UseOther, $UseSmtpPs)
$ErrorActionPreference = 'Stop'
$Context = $Context | ConvertFrom-Json
$null = [System.Reflection.Assembly]::LoadFrom($LibraryPath)
$before = & ([scriptblock]::Create($UseOther))
Import-Module $Module
Add-Type -LiteralPath $TestServer
$smtpps = & ([scriptblock]::Create($UseSmtpPs))
$after = & ([scriptblock]::Create($UseOther))
# Each copy by its file version: two builds of a library may share one assembly version (MimeKit 4.18.0 and 4.18.2 do).
$loaded = @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq $Library } | ForEach-Object {
    '{0}@{1}' -f [System.Diagnostics.FileVersionInfo]::GetVersionInfo($_.Location).FileVersion, [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name })
'RESULT=' + (@{ Before = "$before"; SmtpPs = "$smtpps"; After = "$after"; Loaded = $loaded } | ConvertTo-Json -Compress)
'@
}

Describe 'SmtpPs in a session where another module loaded a different version of its dependency first' {
    BeforeAll {
        if (-not $dnsSkip) { $script:dns = Start-TestDnsServer -Zone (Get-MxTestZone) }
        $script:context = @{ DnsAddress = $dns.Address; DnsPort = $dns.Port; DnsEndPoint = $dns.EndPoint } | ConvertTo-Json -Compress
    }
    AfterAll {
        if (-not $dnsSkip) { Stop-TestDnsServer $dns }
    }

    # One row per dependency: the other version, code that uses it, code that makes SmtpPs use its own
    # copy, and what each must give. $Context holds the test's servers.
    It 'works with <library> <version> loaded first, and so does <library> <version>' -TestCases @(
        @{
            library = 'DnsClient'; version = '1.6.1'; skip = 'dns'
            useOther = '$c = [DnsClient.LookupClient]::new([System.Net.IPAddress]::Parse($Context.DnsAddress), [int]$Context.DnsPort); (@($c.Query("example.test", [DnsClient.QueryType]::MX).Answers | ForEach-Object { $_.Exchange.Value }) | Sort-Object) -join " "'
            otherGives = 'mx1.example.test. mx2.example.test. mx3.example.test.'
            useSmtpPs = '([SmtpPs.TestServer.MxLookup]::Resolve("example.test", $Context.DnsEndPoint, 1, 10)).HostNames -join " "'
            smtpPsGives = 'mx1.example.test mx2.example.test mx3.example.test'
        }
        @{
            # The same assembly version as SmtpPs's MimeKit (4.18.0.0): in one load context the first would
            # silently serve both. SmtpPs composes, sends with -Content and reads the capture back with its own.
            library = 'MimeKit'; version = '4.18.0'; skip = ''
            useOther = '$m = [MimeKit.MimeMessage]::new(); $m.Subject = "other"; $m.From.Add([MimeKit.MailboxAddress]::new("Other", "other@example.org")); $stream = [System.IO.MemoryStream]::new(); $m.WriteTo($stream); ([MimeKit.MimeMessage]::Load([System.IO.MemoryStream]::new($stream.ToArray()))).Subject + " " + [System.Diagnostics.FileVersionInfo]::GetVersionInfo([MimeKit.MimeMessage].Assembly.Location).FileVersion'
            otherGives = 'other 4.18.0.0'
            useSmtpPs = '$server = Start-SmtpTestServer; try { $m = New-MimeMessage -From a@example.org -To b@example.org -Subject "Été isolé" -Body x; $null = Send-RawSmtpMail -Content $m -Server 127.0.0.1 -Port $server.Port; @($server | Get-SmtpTestMessage -Count 1).Subject } finally { $server | Stop-SmtpTestServer }'
            smtpPsGives = 'Été isolé'
        }
    ) {
        param($library, $version, $skip, $useOther, $otherGives, $useSmtpPs, $smtpPsGives)
        if ($skip -eq 'dns' -and $dnsSkip) { Set-ItResult -Skipped -Because $dnsSkip; return }
        $libraryPath = Get-LibraryPath $library $version
        $libraryPath | Should -Exist
        $ours = [System.Diagnostics.FileVersionInfo]::GetVersionInfo((Join-Path (Split-Path $env:SMTPPS_MODULE) "Core/$library.dll")).FileVersion
        $other = [System.Diagnostics.FileVersionInfo]::GetVersionInfo($libraryPath).FileVersion
        $other | Should -Not -Be $ours -Because 'the test needs a build other than the one SmtpPs ships'

        $output = @(Invoke-FreshPwsh $scenario @($env:SMTPPS_MODULE, $env:SMTPPS_TESTSERVER, $library, $libraryPath, $context, $useOther, $useSmtpPs))
        $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
        $result = (($output | Where-Object { "$_" -like 'RESULT=*' } | Select-Object -Last 1) -replace '^RESULT=') | ConvertFrom-Json

        $result.Before | Should -Be $otherGives
        $result.SmtpPs | Should -Be $smtpPsGives
        $result.After | Should -Be $otherGives
        # Both versions side by side: the other in the default context, SmtpPs's in its own.
        $result.Loaded | Sort-Object | Should -Be (@("$other@Default", "$ours@SmtpPs") | Sort-Object)
    }
}
