BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moduleDir = Split-Path $env:SMTPPS_MODULE
    $platform = "$(if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' })-$(([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToString().ToLowerInvariant())"
    $script:nativeFolder = Join-Path $moduleDir "Core/$platform"
    # The libraries that must wait for a cmdlet that needs them.
    $script:lazyLibraries = @('MimeKit', 'BouncyCastle.Cryptography', 'DnsClient', 'SmtpServer', 'System.IO.Pipelines', 'SmtpPs.Mime', 'SmtpPs.Testing.Engine')

    # What a fresh pwsh loads, and from where, at each step of a session that uses every part of SmtpPs
    # in turn; printed as JSON.
    $script:session = Join-Path $TestDrive 'session.ps1'
    Set-Content -LiteralPath $session -Value @'
param($Module, $TestServer, $Port, $Message, $ClosedPort)
$ErrorActionPreference = 'Stop'
function Get-Loaded {
    @([System.AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { -not $_.IsDynamic -and $_.Location } | ForEach-Object {
        [pscustomobject]@{ Name = $_.GetName().Name; Context = [System.Runtime.Loader.AssemblyLoadContext]::GetLoadContext($_).Name; Path = $_.Location }
    })
}
$facts = [ordered]@{}
Import-Module $Module
$facts.AfterImport = Get-Loaded
$replies = @(Send-RawSmtpMail -Path $Message -From loading@example.org -To b@example.org -Server 127.0.0.1 -Port $Port)
$facts.AfterSend = Get-Loaded
$facts.TypeLiteralIsOutputType = ([SmtpPs.SmtpReply] -eq $replies[0].GetType())
$composed = New-MimeMessage -From loading@example.org -To b@example.org -Subject composed -Body x
$facts.AfterCompose = Get-Loaded
$capture = Start-SmtpTestServer
try {
    $null = Send-RawSmtpMail -Content $composed -Server 127.0.0.1 -Port $capture.Port
    $facts.Captured = @($capture | Get-SmtpTestMessage -Count 1).Subject
    $facts.ServerTypeLiteral = ($capture -is [SmtpPs.SmtpTestServer])
}
finally { $capture | Stop-SmtpTestServer }
$facts.AfterCapture = Get-Loaded
# MX routing, against a DNS server that is not there: the lookup fails, but it needed DnsClient.
$null = Send-RawSmtpMail -Path $Message -From loading@example.org -To b@mx.example.test -DnsServer "127.0.0.1:$ClosedPort" -TimeoutSec 5 -ErrorAction SilentlyContinue
$facts.AfterMx = Get-Loaded
$facts.ThirdPartyFromDefault = try { $null = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('DnsClient')); 'served' } catch { 'not served' }
$facts.ExportedBeforeForce = @((Get-Command -Module SmtpPs).Name | Sort-Object)
Import-Module $Module -Force
$facts.ExportedAfterForce = @((Get-Command -Module SmtpPs).Name | Sort-Object)
Add-Type -LiteralPath $TestServer
$facts.HelperSeesCore = [SmtpPs.TestServer.MxLookup]::MaximumHosts
$facts.AfterHelper = Get-Loaded
'RESULT=' + ($facts | ConvertTo-Json -Depth 4 -Compress)
'@
    $script:server = Start-RecordingServer
    $message = New-MessageFile -Text "Subject: loading`r`n`r`nx`r`n"
    $output = @(Invoke-FreshPwsh $session @($env:SMTPPS_MODULE, $env:SMTPPS_TESTSERVER, $server.Port, $message, (Get-FreeTcpPort)))
    $script:sessionExit = $LASTEXITCODE
    $script:sessionText = $output -join "`n"
    $script:facts = (($output | Where-Object { "$_" -like 'RESULT=*' } | Select-Object -Last 1) -replace '^RESULT=') | ConvertFrom-Json
    $script:runtime = @{}
    foreach ($path in ([string][System.AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES')) -split [System.IO.Path]::PathSeparator) {
        $runtime[[System.IO.Path]::GetFileNameWithoutExtension($path)] = $path
    }
}
AfterAll { $server.Dispose() }

Describe 'Loading on PowerShell 7: SmtpPs in an AssemblyLoadContext of its own' {
    It 'runs the session without error' {
        $sessionExit | Should -Be 0 -Because $sessionText
        $facts.Captured | Should -Be 'composed'
    }

    It 'loads the cmdlets and the core into the SmtpPs context, from the module''s Core folder' {
        foreach ($name in 'SmtpPs', 'SmtpPs.Core') {
            $assembly = @($facts.AfterImport | Where-Object Name -EQ $name)
            $assembly.Count | Should -Be 1
            $assembly[0].Context | Should -Be 'SmtpPs'
            $assembly[0].Path | Should -BeLike (Join-Path $moduleDir 'Core*')
        }
    }

    It 'takes our own assemblies from this platform''s ReadyToRun folder when the build made one' {
        if (-not (Test-Path -LiteralPath $nativeFolder)) { Set-ItResult -Skipped -Because "the build makes no ReadyToRun images for this platform ($nativeFolder)"; return }
        foreach ($name in 'SmtpPs', 'SmtpPs.Core', 'SmtpPs.LoadContext') {
            ($facts.AfterImport | Where-Object Name -EQ $name).Path | Should -Be (Join-Path $nativeFolder "$name.dll")
        }
        foreach ($name in 'SmtpPs.Mime', 'SmtpPs.Testing.Engine') {
            ($facts.AfterCapture | Where-Object Name -EQ $name).Path | Should -Be (Join-Path $nativeFolder "$name.dll")
        }
    }

    It 'loads no library on import: <name> waits for a cmdlet that needs it' -TestCases @(
        @{ name = 'MimeKit' }, @{ name = 'BouncyCastle.Cryptography' }, @{ name = 'DnsClient' }, @{ name = 'SmtpServer' },
        @{ name = 'System.IO.Pipelines' }, @{ name = 'SmtpPs.Mime' }, @{ name = 'SmtpPs.Testing.Engine' }
    ) {
        param($name)
        $facts.AfterImport.Name | Should -Not -Contain $name
    }

    It 'sends a file to a named server without MimeKit, DnsClient or the capture server''s engine' {
        # SmtpPs.Mime (ours) comes with the types Send-RawSmtpMail takes as input; the libraries do not.
        $facts.AfterSend.Name | Where-Object { $_ -in $lazyLibraries -and $_ -ne 'SmtpPs.Mime' } | Should -BeNullOrEmpty
    }

    It 'loads MimeKit into the SmtpPs context when New-MimeMessage runs' {
        $mimeKit = @($facts.AfterCompose | Where-Object Name -EQ 'MimeKit')
        $mimeKit.Count | Should -Be 1
        $mimeKit[0].Context | Should -Be 'SmtpPs'
        $mimeKit[0].Path | Should -Be (Join-Path $moduleDir 'Core/MimeKit.dll')
        $facts.AfterCompose.Name | Should -Not -Contain 'DnsClient'
        $facts.AfterCompose.Name | Should -Not -Contain 'SmtpServer'
    }

    It 'loads the engine and SmtpServer into the SmtpPs context when Start-SmtpTestServer runs, by name, not by path' {
        foreach ($name in 'SmtpPs.Testing.Engine', 'SmtpServer') {
            $assembly = @($facts.AfterCapture | Where-Object Name -EQ $name)
            $assembly.Count | Should -Be 1
            $assembly[0].Context | Should -Be 'SmtpPs'
        }
        $facts.ServerTypeLiteral | Should -BeTrue
        $facts.AfterCapture.Name | Should -Not -Contain 'DnsClient'
    }

    It 'loads DnsClient into the SmtpPs context only for MX routing' {
        $dnsClient = @($facts.AfterMx | Where-Object Name -EQ 'DnsClient')
        $dnsClient.Count | Should -Be 1
        $dnsClient[0].Context | Should -Be 'SmtpPs'
    }

    It 'keeps only the two loaders in the default context, from the module''s root and Core folders' {
        $ours = @($facts.AfterMx | Where-Object { $_.Path -like "$moduleDir*" -and $_.Context -ne 'SmtpPs' })
        @($ours.Name | Sort-Object) | Should -Be @('SmtpPs.LoadContext', 'SmtpPs.Loader')
        ($ours | Where-Object Name -EQ 'SmtpPs.Loader').Path | Should -Be (Join-Path $moduleDir 'SmtpPs.Loader.dll')
    }

    It 'takes what the runtime has at the version asked for from the runtime: the SmtpPs context holds none of it' {
        $inContext = @($facts.AfterMx | Where-Object Context -EQ 'SmtpPs')
        $inContext | ForEach-Object { $_.Path | Should -BeLike (Join-Path $moduleDir 'Core*') }
        $inContext.Name | Where-Object { $runtime.ContainsKey($_) } | Should -BeNullOrEmpty
        # The module ships System.IO.Pipelines for .NET 8, which lacks it; .NET 10 has it, and its copy is used.
        Join-Path $moduleDir 'Core/System.IO.Pipelines.dll' | Should -Exist
        $pipelines = @($facts.AfterCapture | Where-Object Name -EQ 'System.IO.Pipelines')
        $pipelines.Count | Should -Be 1
        $pipelines[0].Context | Should -Be 'Default'
        $pipelines[0].Path | Should -Not -BeLike "$moduleDir*"
    }

    It 'lets scripts name SmtpPs''s public types: [SmtpPs.SmtpReply] is the type of the replies' {
        $facts.TypeLiteralIsOutputType | Should -BeTrue
    }

    It 'serves the default context our own assemblies only, never a third-party one' {
        $facts.ThirdPartyFromDefault | Should -Be 'not served'
    }

    It 'exports every cmdlet of the manifest, and still does after Import-Module -Force' {
        $manifest = Import-PowerShellDataFile -Path $env:SMTPPS_MODULE
        $facts.ExportedBeforeForce | Should -Be @($manifest.CmdletsToExport | Sort-Object)
        $facts.ExportedAfterForce | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'binds code compiled against SmtpPs.Core in the default context (the tests'' helper) to the one copy in the SmtpPs context' {
        $facts.HelperSeesCore | Should -BeGreaterThan 0
        $cores = @($facts.AfterHelper | Where-Object Name -EQ 'SmtpPs.Core')
        $cores.Count | Should -Be 1
        $cores[0].Context | Should -Be 'SmtpPs'
    }
}
