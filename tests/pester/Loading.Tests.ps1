BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moduleDir = Split-Path $env:SMTPPS_MODULE
    $platform = "$(if ($IsWindows) { 'win' } elseif ($IsMacOS) { 'osx' } else { 'linux' })-$(([System.Runtime.InteropServices.RuntimeInformation]::ProcessArchitecture).ToString().ToLowerInvariant())"
    $script:nativeFolder = Join-Path $moduleDir "Core/$platform"

    # What a fresh pwsh loads, and from where, at each step of a short session; printed as JSON.
    $script:session = Join-Path $TestDrive 'session.ps1'
    Set-Content -LiteralPath $session -Value @'
param($Module, $TestServer, $Port, $Message)
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
$facts.ThirdPartyFromDefault = try { $null = [System.Runtime.Loader.AssemblyLoadContext]::Default.LoadFromAssemblyName([System.Reflection.AssemblyName]::new('DnsClient')); 'served' } catch { 'not served' }
Import-Module $Module -Force
$facts.CommandsAfterForce = @((Get-Command -Module SmtpPs).Name | Sort-Object)
Add-Type -LiteralPath $TestServer
$facts.HelperSeesCore = [SmtpPs.TestServer.MxLookup]::MaximumHosts
$facts.AfterHelper = Get-Loaded
'RESULT=' + ($facts | ConvertTo-Json -Depth 4 -Compress)
'@
    $script:server = Start-RecordingServer
    $message = New-MessageFile -Text "Subject: loading`r`n`r`nx`r`n"
    $output = @(Invoke-FreshPwsh $session @($env:SMTPPS_MODULE, $env:SMTPPS_TESTSERVER, $server.Port, $message))
    $script:sessionExit = $LASTEXITCODE
    $script:sessionText = $output -join "`n"
    $script:facts = (($output | Where-Object { "$_" -like 'RESULT=*' } | Select-Object -Last 1) -replace '^RESULT=') | ConvertFrom-Json
}
AfterAll { $server.Dispose() }

Describe 'Loading on PowerShell 7: SmtpPs in an AssemblyLoadContext of its own' {
    It 'runs the session without error' {
        $sessionExit | Should -Be 0 -Because $sessionText
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
        ($facts.AfterImport | Where-Object Name -EQ 'SmtpPs.Core').Path | Should -Be (Join-Path $nativeFolder 'SmtpPs.Core.dll')
        ($facts.AfterImport | Where-Object Name -EQ 'SmtpPs').Path | Should -Be (Join-Path $nativeFolder 'SmtpPs.dll')
    }

    It 'keeps only the loader in the default context' {
        $ours = @($facts.AfterSend | Where-Object { $_.Path -like "$moduleDir*" })
        @($ours | Where-Object Context -NE 'SmtpPs').Name | Should -Be @('SmtpPs.Loader')
    }

    It 'takes every framework assembly from the runtime: the SmtpPs context holds nothing but the module''s own files' {
        $inContext = @($facts.AfterSend | Where-Object Context -EQ 'SmtpPs')
        $inContext | ForEach-Object { $_.Path | Should -BeLike (Join-Path $moduleDir 'Core*') }
        $inContext.Name | Where-Object { $_ -like 'System.*' -or $_ -like 'Microsoft.*' } | Should -BeNullOrEmpty
        ($facts.AfterSend | Where-Object Name -EQ 'System.Memory').Path | Should -Not -BeLike "$moduleDir*"
    }

    It 'loads DnsClient neither on import nor for a message sent to a named server: only MX routing needs it' {
        $facts.AfterImport.Name | Should -Not -Contain 'DnsClient'
        $facts.AfterSend.Name | Should -Not -Contain 'DnsClient'
    }

    It 'lets scripts name SmtpPs''s public types: [SmtpPs.SmtpReply] is the type of the replies' {
        $facts.TypeLiteralIsOutputType | Should -BeTrue
    }

    It 'serves the default context our own assemblies only, never a third-party one' {
        $facts.ThirdPartyFromDefault | Should -Be 'not served'
    }

    It 'still exports both cmdlets after Import-Module -Force' {
        $facts.CommandsAfterForce | Should -Be @('Send-RawSmtpMail', 'Test-SmtpServer')
    }

    It 'binds code compiled against SmtpPs.Core in the default context (the tests'' helper) to the one copy in the SmtpPs context' {
        $facts.HelperSeesCore | Should -BeGreaterThan 0
        $cores = @($facts.AfterHelper | Where-Object Name -EQ 'SmtpPs.Core')
        $cores.Count | Should -Be 1
        $cores[0].Context | Should -Be 'SmtpPs'
    }
}
