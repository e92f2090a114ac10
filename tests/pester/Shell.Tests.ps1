BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:file = New-MessageFile -Text "Subject: shell`r`n`r`nshell`r`n"
    $script:cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
    $script:pin = [SmtpPs.TestServer.TestCertificates]::Sha256($cert)
}

Describe '-WhatIf' {
    It 'opens no connection and says, per file, what would be sent where' {
        $server = Start-RecordingServer
        try {
            $script = Join-Path $TestDrive 'whatif.ps1'
            "Send-RawSmtpMail -Path '$file' -From a@example.org -To b@example.org, c@example.org -Server 127.0.0.1 -Port $($server.Port) -WhatIf" |
                Set-Content -LiteralPath $script
            $text = (Invoke-FreshPwsh $script) -join "`n"
            $text | Should -Match 'What if: .*Send to 127\.0\.0\.1:\d+ \(TLS Auto\) from <a@example\.org> to <b@example\.org>, <c@example\.org>, 25 octets'
            $text | Should -Match ([regex]::Escape($file))
            @($server.Connections).Count | Should -Be 0
        }
        finally { $server.Dispose() }
    }
}

Describe '-QuitAfter' {
    It 'with Rcpt delivers nothing, reports which recipients would be accepted, and resets between files and before QUIT' {
        $server = Start-RecordingServer
        try {
            $second = New-MessageFile -Text "Subject: 2`r`n`r`n2`r`n"
            $output = $file, $second | Send-RawSmtpMail -From a@example.org -To ok@example.org, reject-me@example.org -Server 127.0.0.1 -Port $server.Port -QuitAfter Rcpt -PassThru -ErrorAction SilentlyContinue
            $results = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
            $results.Status | Should -Be @('Checked', 'Checked')
            $results[0].AcceptedRecipients | Should -Be @('ok@example.org')
            $results[0].RejectedRecipients | Should -Be @('reject-me@example.org')
            $server.WaitForIdle() | Should -BeTrue
            @($server.Messages).Count | Should -Be 0
            $commands = @($server.Connections)[0].Commands
            $commands | Should -Not -Contain 'DATA'
            $commands -replace ':.*' | Select-Object -Skip 1 | Should -Be @('MAIL FROM', 'RCPT TO', 'RCPT TO', 'RSET', 'MAIL FROM', 'RCPT TO', 'RCPT TO', 'RSET', 'QUIT')
        }
        finally { $server.Dispose() }
    }

    It 'with <step> stops after <last> and says QUIT (after RSET when a transaction is open)' -TestCases @(
        @{ step = 'Connect'; last = '(nothing)'; expected = @('QUIT') }
        @{ step = 'Ehlo'; last = 'EHLO'; expected = @('EHLO', 'QUIT') }
        @{ step = 'StartTls'; last = 'EHLO over TLS'; expected = @('EHLO', 'STARTTLS', 'EHLO', 'QUIT') }
        @{ step = 'Auth'; last = 'AUTH'; expected = @('EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'QUIT') }
        @{ step = 'Mail'; last = 'MAIL'; expected = @('EHLO', 'STARTTLS', 'EHLO', 'AUTH', 'MAIL', 'RSET', 'QUIT') }
    ) {
        param($step, $last, $expected)
        $steps = @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go', 'starttls', 'read', 'reply 250-hi|250 AUTH PLAIN',
            'read', 'reply 235 ok', 'read', 'reply 250 ok', 'read', 'reply 221 bye')
        $cut = @{ Connect = 0; Ehlo = 2; StartTls = 7; Auth = 9; Mail = 11 }[$step]
        $rset = if ($step -eq 'Mail') { @('read', 'reply 250 reset') } else { @() }
        $server = Start-ScriptedTlsServer ($steps[0..$cut] + $rset + @('read', 'reply 221 bye')) $cert
        try {
            $output = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server localhost -Port $server.Port -Credential (New-TestCredential) -CertificateThumbprint $pin -QuitAfter $step -PassThru
            $null = $server.WaitForClose()
            $server.Commands -replace ' .*' -replace ':.*' | Should -Be $expected
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Checked'
        }
        finally { $server.Dispose() }
    }
}

Describe '-TranscriptPath' {
    It 'writes the dialogue with timestamps, redacts the secret and leaves out the content' {
        $steps = @('reply 220 hi', 'read', 'reply 250-hi|250 AUTH PLAIN', 'read', 'reply 235 ok') + (Get-HappyScript)[3..99]
        $server = Start-ScriptedServer $steps
        $transcript = Join-Path $TestDrive 'dialogue.log'
        try {
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -Credential (New-TestCredential) -TlsMode None -AllowUnencryptedAuthentication -TranscriptPath $transcript
        }
        finally { $server.Dispose() }
        $lines = Get-Content -LiteralPath $transcript
        $lines | Should -Contain ($lines -match 'C: AUTH PLAIN \*\*\*$')[0]
        $lines -match '^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z S: 220 hi$' | Should -Not -BeNullOrEmpty
        $lines -match ' S: 250-hi$' | Should -Not -BeNullOrEmpty
        $lines -match ' C: MAIL FROM:<a@example.org>$' | Should -Not -BeNullOrEmpty
        $lines -match ' -- Connected to 127\.0\.0\.1:' | Should -Not -BeNullOrEmpty
        $text = $lines -join "`n"
        $text | Should -Not -Match 'correct horse'
        $text | Should -Not -Match ([regex]::Escape((ConvertTo-Base64 "`0alice`0correct horse battery staple")))
        $text | Should -Not -Match 'Subject: shell'
    }
}

Describe 'Envelope from the headers' {
    BeforeEach { $script:server = Start-RecordingServer }
    AfterEach { $server.Dispose() }

    It 'takes the recipients from To, Cc and Bcc and the sender from From, and warns about Bcc' {
        $headers = "From: `"Ops, Team`" <ops@example.org>`r`nTo: Boss <boss@example.org>, plain@example.org`r`nCc: (comment) team: one@example.org,`r`n two@example.org;`r`nBcc: hidden@example.org`r`nSubject: t`r`n`r`nbody`r`n"
        $message = New-MessageFile -Text $headers
        $null = Send-RawSmtpMail -Path $message -RecipientsFromHeaders -Server 127.0.0.1 -Port $server.Port -WarningVariable warnings -WarningAction SilentlyContinue
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].From | Should -Be 'ops@example.org'
        @($server.Messages)[0].To | Should -Be @('boss@example.org', 'plain@example.org', 'one@example.org', 'two@example.org', 'hidden@example.org')
        "$warnings" | Should -Match 'Bcc header'
    }

    It 'adds -To to the header recipients, once each' {
        $message = New-MessageFile -Text "From: a@example.org`r`nTo: b@example.org`r`n`r`nbody`r`n"
        $null = Send-RawSmtpMail -Path $message -To B@example.org, extra@example.org -RecipientsFromHeaders -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].To | Should -Be @('B@example.org', 'extra@example.org')
    }

    It 'refuses <name> before connecting' -TestCases @(
        @{ name = 'a file without From when -From is left out'; text = "To: b@example.org`r`n`r`nx`r`n"; id = 'NoSender' }
        @{ name = 'a file without recipients'; text = "From: a@example.org`r`nSubject: x`r`n`r`nx`r`n"; id = 'NoRecipients' }
        @{ name = 'a header address with a line break smuggled in'; text = "From: a@example.org`r`nTo: <b@example.org>, <c@exa`rmple.org>`r`n`r`nx`r`n"; id = 'InvalidHeaderAddress' }
    ) {
        param($name, $text, $id)
        $message = New-MessageFile -Text $text
        { Send-RawSmtpMail -Path $message -RecipientsFromHeaders -Server 127.0.0.1 -Port $server.Port -ErrorAction Stop } | Should -Throw -ErrorId "$id,$cmdletId"
        @($server.Connections).Count | Should -Be 0
    }

    It 'asks for -To or -RecipientsFromHeaders' {
        { Send-RawSmtpMail -Path $file -From a@example.org -Server 127.0.0.1 -Port $server.Port } | Should -Throw -ErrorId "RecipientsRequired,$cmdletId"
    }
}

Describe 'Tab completion and aliases' {
    It 'completes -<parameter> with <expected>' -TestCases @(
        @{ parameter = 'TlsMode'; expected = @('Auto', 'None', 'StartTlsWhenAvailable', 'StartTls', 'Implicit') }
        @{ parameter = 'AuthenticationMechanism'; expected = @('PLAIN', 'LOGIN', 'CRAM-MD5', 'XOAUTH2', 'OAUTHBEARER') }
        @{ parameter = 'QuitAfter'; expected = @('None', 'Connect', 'Ehlo', 'StartTls', 'Auth', 'Mail', 'Rcpt') }
    ) {
        param($parameter, $expected)
        $line = "Send-RawSmtpMail -$parameter "
        $completions = (TabExpansion2 -inputScript $line -cursorColumn $line.Length).CompletionMatches.CompletionText
        foreach ($value in $expected) { $completions | Should -Contain $value }
    }

    It 'takes -SmtpServer as Send-MailMessage does' {
        $server = Start-RecordingServer
        try {
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -SmtpServer 127.0.0.1 -Port $server.Port
            $server.WaitForMessages(1) | Should -BeTrue
        }
        finally { $server.Dispose() }
    }

    It 'takes every parameter from $PSDefaultParameterValues' {
        $server = Start-RecordingServer
        try {
            $PSDefaultParameterValues['Send-RawSmtpMail:Server'] = '127.0.0.1'
            $PSDefaultParameterValues['Send-RawSmtpMail:Port'] = $server.Port
            $PSDefaultParameterValues['Send-RawSmtpMail:From'] = 'defaults@example.org'
            $null = Send-RawSmtpMail $file -To b@example.org
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].From | Should -Be 'defaults@example.org'
        }
        finally {
            $PSDefaultParameterValues.Clear()
            $server.Dispose()
        }
    }
}

Describe 'Progress' {
    It 'reports the octets sent of a large message, and the files of a batch' {
        $server = Start-RecordingServer
        $big = New-MessageFile -Text (("0123456789abcdef" * 4 + "`r`n") * 50000)   # 3.3 MB
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript({
                    param($module, $file, $port)
                    Import-Module $module
                    Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port
                }).AddArgument($env:SMTPPS_MODULE).AddArgument($big).AddArgument($server.Port)
            $null = $ps.Invoke()
            $progress = @($ps.Streams.Progress)
            $file = $progress | Where-Object Activity -Like 'Sending msg-*'
            # One record per block read (each a percent of its own for a file of fewer than 100 blocks).
            $file.Count | Should -Be ([math]::Ceiling((Get-Item $big).Length / [SmtpPs.TestServer.CoreConstants]::ReadBlockSize))
            $file.PercentComplete | Sort-Object -Unique | Select-Object -Last 1 | Should -Be 100
            $file[0].StatusDescription | Should -Match '^[\d,]+ of 3,[\d,]+ octets$'
            ($progress | Where-Object Activity -Like 'Send-RawSmtpMail to 127.0.0.1:*').StatusDescription | Should -Contain "File 1: $(Split-Path -Leaf $big)"
        }
        finally { $ps.Dispose(); $server.Dispose() }
    }
}
