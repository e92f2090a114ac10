# The module in Windows PowerShell 5.1 (build.ps1 -Task Test -TestShell WindowsPowerShell, on Windows):
# what 5.1 loads, from where, and a message sent to the recording test server, which runs in pwsh.
BeforeAll {
    if (-not $env:SMTPPS_MODULE -or -not $env:SMTPPS_PWSH) {
        throw 'Run these through ./build.ps1 -Task Test -TestShell WindowsPowerShell.'
    }
    $script:moduleDir = Split-Path $env:SMTPPS_MODULE
    $script:desktop = Join-Path $moduleDir 'Desktop'
    Import-Module $env:SMTPPS_MODULE -Force

    function Get-ModuleAssemblies {
        @([System.AppDomain]::CurrentDomain.GetAssemblies() |
                Where-Object { -not $_.IsDynamic -and $_.Location -and $_.Location.StartsWith($moduleDir, [System.StringComparison]::OrdinalIgnoreCase) })
    }

    function Start-ServerInPwsh {
        <# The recording server in a pwsh child; returns the process and the port it listens on. #>
        $command = @(ConvertFrom-Json $env:SMTPPS_PWSH)
        $info = New-Object System.Diagnostics.ProcessStartInfo
        $info.FileName = $command[0]
        $rest = @($command | Select-Object -Skip 1) + @('-NoProfile', '-NonInteractive', '-File', (Join-Path $PSScriptRoot 'Start-RecordingServer.ps1'), $env:SMTPPS_MODULE, $env:SMTPPS_TESTSERVER)
        $info.Arguments = ($rest | ForEach-Object { '"' + $_ + '"' }) -join ' '
        $info.UseShellExecute = $false
        $info.RedirectStandardInput = $true
        $info.RedirectStandardOutput = $true
        $process = [System.Diagnostics.Process]::Start($info)
        $line = $process.StandardOutput.ReadLine()
        while ($line -ne $null -and $line -notlike 'PORT=*') { $line = $process.StandardOutput.ReadLine() }
        if ($line -eq $null) { throw 'The test server in pwsh did not start.' }
        [pscustomobject]@{ Process = $process; Port = [int]$line.Substring(5) }
    }

    function Stop-ServerInPwsh($Server) {
        <# Stops the server and returns the messages it received. #>
        $Server.Process.StandardInput.WriteLine('stop')
        $messages = @()
        while (($line = $Server.Process.StandardOutput.ReadLine()) -ne $null) {
            if ($line -like 'MESSAGES=*') { $messages = @(ConvertFrom-Json $line.Substring(9)) }
        }
        $Server.Process.WaitForExit()
        return $messages
    }
}

Describe 'SmtpPs in Windows PowerShell 5.1' {
    It 'runs in Windows PowerShell 5.1 on .NET Framework 4.7.2 or later' {
        $PSVersionTable.PSEdition | Should -Be 'Desktop'
        $PSVersionTable.PSVersion.Major | Should -Be 5
    }

    It 'exports every cmdlet of the manifest' {
        $manifest = Import-PowerShellDataFile -Path $env:SMTPPS_MODULE
        @((Get-Command -Module SmtpPs).Name | Sort-Object) | Should -Be @($manifest.CmdletsToExport | Sort-Object)
    }

    It 'loads the loader from the module''s root, everything else from Desktop, and no library on import' {
        $loaded = Get-ModuleAssemblies
        ($loaded | Where-Object { $_.GetName().Name -eq 'SmtpPs.Loader' }).Location | Should -Be (Join-Path $moduleDir 'SmtpPs.Loader.dll')
        $loaded | Where-Object { $_.GetName().Name -ne 'SmtpPs.Loader' } | ForEach-Object { $_.Location | Should -BeLike "$desktop*" }
        # SmtpPs.Testing comes with the cmdlets' types; MimeKit, BouncyCastle and DnsClient wait for a cmdlet that needs them.
        @($loaded | ForEach-Object { $_.GetName().Name } | Where-Object { $_ -notin 'SmtpPs', 'SmtpPs.Core', 'SmtpPs.Loader', 'SmtpPs.Testing' }) | Should -BeNullOrEmpty
    }

    It 'says why Start-SmtpTestServer cannot start a server here (its engine needs PowerShell 7)' {
        { Start-SmtpTestServer -ErrorAction Stop } | Should -Throw -ErrorId 'SmtpTestServerNeedsPowerShell7,SmtpPs.Commands.Testing.StartSmtpTestServerCommand'
        (Get-ModuleAssemblies | ForEach-Object { $_.GetName().Name }) | Should -Not -Contain 'SmtpPs.Testing.Engine'
    }

    It 'composes a message with MimeKit from Desktop' {
        # ASCII only in this file: Windows PowerShell 5.1 reads a script without a byte order mark as ANSI.
        $message = New-MimeMessage -From desktop@example.org -To b@example.org -Subject 'from 5.1' -Body x
        $message.ToString() | Should -Match '(?m)^Subject: from 5\.1\r?$'
        ((Get-ModuleAssemblies | Where-Object { $_.GetName().Name -eq 'MimeKit' }).Location) | Should -Be (Join-Path $desktop 'MimeKit.dll')
    }

    It 'shows the examples with Get-Help -Examples' {
        (Get-Help Send-RawSmtpMail -Examples | Out-String) | Should -Match 'Port 587'
    }

    It 'sends a message, replies as SmtpPs.SmtpReply objects through the format view' {
        $server = Start-ServerInPwsh
        try {
            $file = Join-Path $TestDrive 'hello.eml'
            [System.IO.File]::WriteAllText($file, "Subject: 5.1`r`n`r`nfrom Windows PowerShell`r`n")
            $replies = @(Send-RawSmtpMail -Path $file -From desktop@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port)
        }
        finally { $messages = Stop-ServerInPwsh $server }
        $replies[0] | Should -BeOfType ([SmtpPs.SmtpReply])
        ($replies | Select-Object -Last 1).Code | Should -Be 221
        $table = $replies | Out-String -Width 200
        $table | Should -Match 'Elapsed\s+Command\s+Code\s+Enh\.\s+Text'
        $messages.Count | Should -Be 1
        $messages[0].From | Should -Be 'desktop@example.org'
        (Get-ModuleAssemblies | ForEach-Object { $_.GetName().Name }) | Should -Not -Contain 'DnsClient'
    }

    # Last: these load DnsClient, which the test above expects unloaded.
    It 'serves a failed bind of a library the module ships with its own copy (AssemblyResolve)' {
        # No binding redirects in 5.1: a library built against an older DnsClient asks for that version,
        # the binder finds none (DnsClient is in no GAC), and only the handler can answer.
        $assembly = [System.Reflection.Assembly]::Load('DnsClient, Version=1.0.0.0, Culture=neutral, PublicKeyToken=4574bb5573c51424')
        $assembly.Location | Should -Be (Join-Path $desktop 'DnsClient.dll')
    }

    It 'does not serve a newer version than the module ships' {
        { [System.Reflection.Assembly]::Load('DnsClient, Version=99.0.0.0, Culture=neutral, PublicKeyToken=4574bb5573c51424') } | Should -Throw
    }
}
