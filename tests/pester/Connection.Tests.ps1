BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:file = New-MessageFile -Text "Subject: t`r`n`r`nbody`r`n"
}

Describe 'Finding the server' {
    It 'resolves a name and says in -Verbose which address answered' {
        $server = Start-RecordingServer
        try {
            $verbose = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server localhost -Port $server.Port -Verbose 4>&1 |
                Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
            $server.WaitForMessages(1) | Should -BeTrue
            $verbose.Message | Should -Contain 'localhost resolved to 127.0.0.1.'
            $verbose.Message | Should -Contain "Connected to 127.0.0.1:$($server.Port)."
        }
        finally { $server.Dispose() }
    }
}

Describe 'Connection faults' {
    It 'reports a refused connection once as SmtpConnectFailed, and every file not delivered with the reason' {
        $port = Get-FreeTcpPort
        $second = New-MessageFile -Text "Subject: 2`r`n`r`nsecond`r`n"
        $output = $file, $second | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        # One error says why the session ended; each file still gets its result, pointing at that reason.
        $errors.FullyQualifiedErrorId | Should -Be @("SmtpConnectFailed,$cmdletId")
        $errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        "$($errors[0])" | Should -Match ([regex]::Escape("Not delivered: '$file'"))
        $output.Status | Should -Be @('NotDelivered', 'NotDelivered')
        $output.Path | Should -Be @($file, $second)
        $output[0].Reason | Should -Match 'Could not connect'
        $output[1].Reason | Should -Match '^It was not sent: the session had ended \(Could not connect'
    }

    It 'throws the connection error with -ErrorAction Stop' {
        $port = Get-FreeTcpPort
        { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port -ErrorAction Stop } |
            Should -Throw -ErrorId "SmtpConnectFailed,$cmdletId"
    }

    It 'reports a file as NotDelivered when the connection drops before its final dot was sent' {
        $big = New-StallingFile
        $server = Start-ScriptedServer ((Get-HappyScript)[0..8] + 'close')
        try {
            $output = Send-RawSmtpMail -Path $big -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TimeoutSec 10 -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        }
        finally { $server.Dispose() }
        $errors[0].FullyQualifiedErrorId | Should -Be "SmtpConnectionLost,$cmdletId"
        ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        "$($errors[0])" | Should -Match ([regex]::Escape("Not delivered: '$big'"))
    }

    It 'reports a file as Unknown when the connection drops after its final dot, before the reply' {
        $server = Start-ScriptedServer ((Get-HappyScript)[0..9] + 'close')
        try {
            $output = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TimeoutSec 10 -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        }
        finally { $server.Dispose() }
        $errors[0].FullyQualifiedErrorId | Should -Be "SmtpConnectionLost,$cmdletId"
        ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Unknown'
        "$($errors[0])" | Should -Match 'may have been delivered'
    }
}

Describe 'Timeouts' {
    It 'times out a server that never greets, naming the stage' {
        $server = Start-ScriptedServer @('sleep 4000')
        try {
            { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TimeoutSec 1 -ErrorAction Stop } |
                Should -Throw -ErrorId "SmtpTimeout,$cmdletId" -ExpectedMessage '*Greeting*'
        }
        finally { $server.Dispose() }
    }

    It 'times out a reply that trickles in one byte at a time: the deadline is per reply, not per read' {
        $server = Start-ScriptedServer @('reply 220 hi', 'read', 'trickle 100 250 this reply arrives one byte every 100 ms and would take 7 seconds\r\n')
        try {
            $thrown = { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TimeoutSec 1 -ErrorAction Stop } |
                Should -Throw -PassThru
        }
        finally { $server.Dispose() }
        $thrown.FullyQualifiedErrorId | Should -Be "SmtpTimeout,$cmdletId"
        $thrown.CategoryInfo.Category | Should -Be 'OperationTimeout'
        $thrown.Exception.Stage | Should -Be 'Ehlo'
    }
}

Describe 'Ctrl+C' {
    It 'stops a send that waits on a silent server at once and closes the socket' {
        # The server never answers EHLO; it waits (up to 15 s) for a command that never comes.
        $server = Start-ScriptedServer @('reply 220 hi', 'read', 'read')
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($module, $file, $port)
                    Import-Module $module
                    Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port
                }).AddArgument($env:SMTPPS_MODULE).AddArgument($file).AddArgument($server.Port)
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while ($server.Commands.Count -lt 1 -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            $server.Commands[0] | Should -Match '^EHLO'

            $stopwatch = [System.Diagnostics.Stopwatch]::StartNew()
            $ps.Stop()
            $stopwatch.Stop()
            $stopwatch.Elapsed.TotalSeconds | Should -BeLessThan 2
            $ps.InvocationStateInfo.State | Should -Be 'Stopped'
            # The server sees the client hang up, long before its own 15 s read timeout.
            $server.WaitForClose(3000) | Should -BeTrue
            $server.Log[0] | Should -Match 'client closed the connection|reset by peer'
        }
        finally {
            $ps.Dispose()
            $server.Dispose()
        }
    }
}
