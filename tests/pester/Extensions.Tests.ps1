BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:common = @{ From = 'a@example.org'; To = 'b@example.org'; Server = '127.0.0.1'; TimeoutSec = 5 }
    function New-Batch([int] $Count) {
        foreach ($n in 1..$Count) { New-MessageFile -Text "Subject: $n`r`n`r`n.body $n`r`n" -Name "batch-$n-$([guid]::NewGuid().ToString('n').Substring(0, 6)).eml" }
    }
}

Describe 'PIPELINING (RFC 2920)' {
    It 'costs one round trip per message: the server answers only after each whole group has arrived' {
        # Each 'read' run below happens before the server says anything: a client that waited for a reply
        # in between would stall here and time out. So the replies come in exactly one burst per message.
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 PIPELINING',
            'read', 'read', 'read', 'reply 250 ok|250 ok|354 go',                                         # MAIL RCPT DATA of 1
            'data', 'read', 'read', 'read', 'reply 250 queued as Q1|250 ok|250 ok|354 go',                   # . of 1, MAIL RCPT DATA of 2
            'data', 'read', 'read', 'read', 'reply 250 queued as Q2|250 ok|250 ok|354 go',                   # . of 2, MAIL RCPT DATA of 3
            'data', 'read', 'reply 250 queued as Q3|221 bye')                                               # . of 3, QUIT
        $server = Start-ScriptedServer $script
        try {
            $output = New-Batch 3 | Send-RawSmtpMail @common -Port $server.Port -PassThru
            $null = $server.WaitForClose()
            $server.Log[0] | Should -Be 'completed'
            $results = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
            $results.Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
            $results.QueueId | Should -Be @('Q1', 'Q2', 'Q3')
            $server.Commands -replace '[: ].*' | Should -Be @('EHLO', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'MAIL', 'RCPT', 'DATA', 'QUIT')
            $server.DataSections | ForEach-Object { [SmtpPs.TestServer.Wire]::CheckDataInvariant($_) | Should -BeNullOrEmpty }
        }
        finally { $server.Dispose() }
    }

    It 'never pairs a reply with the wrong message when a transaction in the middle fails' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 PIPELINING',
            'read', 'read', 'read', 'reply 250 ok|250 ok|354 go',
            'data', 'read', 'read', 'read', 'reply 250 queued as Q1|250 ok|550 5.1.1 no such user|554 5.5.1 no valid recipients',
            'read', 'read', 'read', 'read', 'reply 250 reset|250 ok|250 ok|354 go',
            'data', 'read', 'reply 250 queued as Q3|221 bye')
        $server = Start-ScriptedServer $script
        try {
            $output = New-Batch 3 | Send-RawSmtpMail @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $server.Log[0] | Should -Be 'completed'
            $results = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
            $results.Status | Should -Be @('Delivered', 'NotDelivered', 'Delivered')
            $results.QueueId | Should -Be @('Q1', '', 'Q3')
            $results[1].RejectedRecipients | Should -Be @('b@example.org')
            $errors.FullyQualifiedErrorId | Should -Be @("SmtpRecipientRejected,$cmdletId")
            ($output | Where-Object { $_ -is [SmtpPs.SmtpReply] -and $_.Code -eq 554 }).Stage | Should -Be 'Data'
        }
        finally { $server.Dispose() }
    }
}

Describe 'CHUNKING (RFC 3030)' {
    It 'sends a small message as one BDAT LAST with the exact octet count and no dot-stuffing, once MAIL and RCPT were accepted' {
        $file = New-MessageFile -Text "Subject: bdat`n`n.leading dot`nend"
        # MAIL and RCPT go in one write; the chunk only after their replies; its reply is read with QUIT's.
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250-PIPELINING|250 CHUNKING', 'read', 'read', 'reply 250 ok|250 ok', 'bdat', 'read', 'reply 250 2.0.0 queued as B1|221 bye')
        $server = Start-ScriptedServer $script
        try {
            $output = Send-RawSmtpMail -Path $file @common -Port $server.Port -PassThru
            $null = $server.WaitForClose()
            $server.Log[0] | Should -Be 'completed'
            $expected = "Subject: bdat`r`n`r`n.leading dot`r`nend`r`n"
            $server.Commands[3] | Should -Be "BDAT $($expected.Length) LAST"
            Get-Latin1Text $server.DataSections[0] | Should -BeExactly $expected
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).QueueId | Should -Be 'B1'
        }
        finally { $server.Dispose() }
    }

    It 'sends no content at all when the server refused the only recipient' {
        # Content sent before the transaction was accepted would be read by the server as commands.
        $file = New-MessageFile -Text "Subject: bdat`r`n`r`nRCPT TO:<victim@example.org>`r`n"
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250-PIPELINING|250 CHUNKING', 'read', 'read', 'reply 250 ok|550 5.1.1 no such user', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $output = Send-RawSmtpMail -Path $file @common -Port $server.Port -PassThru -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $server.Log[0] | Should -Be 'completed'
            $server.Commands -replace '[: ].*' | Should -Be @('EHLO', 'MAIL', 'RCPT', 'QUIT')
            $server.ReceivedText | Should -Not -Match 'BDAT|victim'
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        }
        finally { $server.Dispose() }
    }

    It 'sends a large message in counted chunks, the last marked LAST' {
        # Bare LFs, a little over two read blocks: the core sends one chunk per block read.
        $block = [SmtpPs.TestServer.CoreConstants]::ReadBlockSize
        $text = ("0123456789abcdef" * 4 + "`n") * [math]::Ceiling(2.3 * $block / 65)
        $file = New-MessageFile -Text $text
        $server = Start-ScriptedServer (@('reply 220 hi', 'read', 'reply 250-hi|250 CHUNKING', 'read', 'reply 250 ok', 'read', 'reply 250 ok') +
            @(foreach ($i in 1..2) { 'bdat', 'reply 250 chunk ok' }) + @('bdat', 'reply 250 done', 'read', 'reply 221 bye'))
        try {
            $null = Send-RawSmtpMail -Path $file @common -Port $server.Port
            $null = $server.WaitForClose()
            $bdat = $server.Commands | Where-Object { $_ -like 'BDAT *' }
            $bdat.Count | Should -Be ([math]::Ceiling($text.Length / $block))
            $bdat[-1] | Should -Match '^BDAT \d+ LAST$'
            $bdat[0..1] | ForEach-Object { $_ | Should -Match '^BDAT \d+$' }
            $wire = -join ($server.DataSections | ForEach-Object { Get-Latin1Text $_ })
            $wire | Should -BeExactly ($text -replace "`n", "`r`n")
        }
        finally { $server.Dispose() }
    }

    It 'sends no more chunks after a BDAT is refused' {
        $file = New-MessageFile -Text (("x" * 70 + "`r`n") * 3000)
        $server = Start-ScriptedServer @('reply 220 hi', 'read', 'reply 250-hi|250 CHUNKING', 'read', 'reply 250 ok', 'read', 'reply 250 ok',
            'bdat', 'reply 552 5.3.4 too much', 'read', 'reply 221 bye')
        try {
            $output = Send-RawSmtpMail -Path $file @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            @($server.Commands | Where-Object { $_ -like 'BDAT *' }).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpMessageRejected,$cmdletId"
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        }
        finally { $server.Dispose() }
    }
}

Describe 'SIZE (RFC 1870)' {
    It 'declares the exact size, counting every line break as CRLF and the final CRLF' {
        $file = New-MessageFile -Text "Subject: size`n`nbody without final break"
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 SIZE 1000000')
        try {
            $null = Send-RawSmtpMail -Path $file @common -Port $server.Port
            $null = $server.WaitForClose()
            $size = "Subject: size`r`n`r`nbody without final break`r`n".Length
            $server.Commands[1] | Should -Be "MAIL FROM:<a@example.org> SIZE=$size"
            $server.DataSections[0].Length | Should -Be ($size + 3)
        }
        finally { $server.Dispose() }
    }

    It 'does not send a message over the limit, names the limit, and goes on with the next file' {
        $big = New-MessageFile -Text ("x" * 500 + "`r`n")
        $small = New-MessageFile -Text "Subject: s`r`n`r`nok`r`n"
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 SIZE 100')
        try {
            $output = $big, $small | Send-RawSmtpMail @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpMessageTooLarge,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            "$($errors[0])" | Should -Match 'at most 100'
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('NotDelivered', 'Delivered')
            @($server.Commands -match '^MAIL').Count | Should -Be 1
        }
        finally { $server.Dispose() }
    }
}

Describe 'SMTPUTF8 (RFC 6531)' {
    It 'sends an international address with SMTPUTF8 to a server that offers it' {
        $server = Start-RecordingServer
        try {
            $file = New-MessageFile -Text "Subject: utf8`r`n`r`nhi`r`n"
            $null = Send-RawSmtpMail -Path $file -From 'jörg@example.org' -To 'zoë@example.org' -Server 127.0.0.1 -Port $server.Port
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].From | Should -Be 'jörg@example.org'
            @($server.Messages)[0].To | Should -Be @('zoë@example.org')
            $mail = [System.Text.Encoding]::UTF8.GetString(@($server.Connections)[0].ClientBytes) -split "`r`n" | Where-Object { $_ -like 'MAIL*' }
            $mail | Should -Be 'MAIL FROM:<jörg@example.org> SMTPUTF8'
        }
        finally { $server.Dispose() }
    }

    It 'refuses <what> before MAIL when the server lacks SMTPUTF8' -TestCases @(
        @{ what = 'an international address'; from = 'jörg@example.org'; text = "Subject: x`r`n`r`nx`r`n" }
        @{ what = 'UTF-8 headers'; from = 'a@example.org'; text = "Subject: Grüße`r`n`r`nx`r`n" }
    ) {
        param($what, $from, $text)
        $file = New-MessageFile -Bytes ([System.Text.Encoding]::UTF8.GetBytes($text))
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 8BITMIME')
        try {
            $null = Send-RawSmtpMail -Path $file -From $from -To b@example.org -Server 127.0.0.1 -Port $server.Port -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpUtf8NotSupported,$cmdletId"
            $server.Commands | Where-Object { $_ -like 'MAIL*' } | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }
}

Describe 'DSN (RFC 3461)' {
    It 'adds RET, ENVID, NOTIFY and ORCPT, xtext-encoded, when the server offers DSN' {
        $file = New-MessageFile -Text "Subject: dsn`r`n`r`nx`r`n"
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 DSN')
        try {
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To 'b+tag=1@example.org' -Server 127.0.0.1 -Port $server.Port `
                -DeliveryNotification Success, Failure -ReturnContent Headers -EnvelopeId 'run+42=ok'
            $null = $server.WaitForClose()
            $server.Commands[1] | Should -Be 'MAIL FROM:<a@example.org> RET=HDRS ENVID=run+2B42+3Dok'
            $server.Commands[2] | Should -Be 'RCPT TO:<b+tag=1@example.org> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;b+2Btag+3D1@example.org'
        }
        finally { $server.Dispose() }
    }

    It 'warns, and sends without DSN parameters, when the server does not offer DSN' {
        $file = New-MessageFile -Text "Subject: dsn`r`n`r`nx`r`n"
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $null = Send-RawSmtpMail -Path $file @common -Port $server.Port -DeliveryNotification Never -WarningVariable warnings -WarningAction SilentlyContinue
            $null = $server.WaitForClose()
            "$warnings" | Should -Match 'does not offer DSN'
            $server.Commands[1] | Should -Be 'MAIL FROM:<a@example.org>'
        }
        finally { $server.Dispose() }
    }

    It 'refuses Never combined with another notification, and a bad envelope id, before connecting' -TestCases @(
        @{ extra = @{ DeliveryNotification = 'Never, Success' }; id = 'InvalidDeliveryNotification' }
        @{ extra = @{ EnvelopeId = "id with space" }; id = 'InvalidEnvelopeId' }
        @{ extra = @{ EnvelopeId = "id`r`nRCPT TO:<x@y>" }; id = 'InvalidEnvelopeId' }
        # 100 characters, but 300 once xtext-encoded: over RFC 3461 4.4's limit on the wire.
        @{ extra = @{ EnvelopeId = '+' * 100; ReturnContent = 'Headers' }; id = 'InvalidEnvelopeId' }
    ) {
        param($extra, $id)
        $file = New-MessageFile -Text "Subject: dsn`r`n`r`nx`r`n"
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 DSN')
        try {
            { Send-RawSmtpMail -Path $file @common -Port $server.Port @extra } | Should -Throw -ErrorId "$id,$cmdletId"
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'sends MAIL and RCPT lines that their parameters make longer than 512 octets, as RFC 3461 4 allows' {
        # A 242-octet recipient with NOTIFY and ORCPT, and a 254-octet sender with RET, ENVID and SIZE.
        $recipient = ('r' * 64) + '@' + ((('d' * 60) + '.') * 2) + ('e' * 51) + '.org'
        $sender = ('s' * 64) + '@' + ((('d' * 60) + '.') * 3) + ('e' * 2) + '.org'
        $recipient.Length | Should -Be 242
        $sender.Length | Should -Be 254
        $file = New-MessageFile -Text "Subject: dsn`r`n`r`nx`r`n"
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250-SIZE 100000|250 DSN')
        try {
            $output = Send-RawSmtpMail -Path $file -From $sender -To $recipient -Server 127.0.0.1 -Port $server.Port -TimeoutSec 5 `
                -DeliveryNotification Failure -ReturnContent Headers -EnvelopeId ('e' * 100) -PassThru
            $null = $server.WaitForClose()
            $server.Commands[1] | Should -BeLike "MAIL FROM:<$sender> SIZE=* RET=HDRS ENVID=$('e' * 100)"
            $server.Commands[2] | Should -Be "RCPT TO:<$recipient> NOTIFY=FAILURE ORCPT=rfc822;$recipient"
            ($server.Commands[2].Length + 2) | Should -BeGreaterThan ([SmtpPs.TestServer.CoreConstants]::MaxCommandLength)
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Delivered'
        }
        finally { $server.Dispose() }
    }
}

Describe 'Extensions against Postfix' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
        $script:skipReason = Get-PostfixSkipReason
        if (-not $skipReason) {
            $script:recorder = Start-RecordingServer
            $script:postfixPort = Get-FreeTcpPort
            $script:postfixDir = Start-PrivatePostfix -Port $postfixPort -RelayPort $recorder.Port
        }
    }
    AfterAll {
        if (-not $skipReason) { Stop-PrivatePostfix $postfixDir; $recorder.Dispose() }
    }

    It 'pipelines a batch with BDAT, SIZE, 8BITMIME, SMTPUTF8 and DSN, and Postfix relays every byte' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $files = foreach ($n in 1..3) {
            New-MessageFile -Bytes ([System.Text.Encoding]::UTF8.GetBytes("From: a@example.org`r`nSubject: Grüße $n`r`nMessage-ID: <ext-$n-$([guid]::NewGuid().ToString('n'))@example.org>`r`n`r`n.Zeile $n mit Umlauten: äöü`r`n"))
        }
        $before = @($recorder.Messages).Count
        $output = $files | Send-RawSmtpMail -From 'jörg@example.org' -To b@example.org -Server 127.0.0.1 -Port $postfixPort -DeliveryNotification Failure -EnvelopeId 'batch-1' -PassThru -Verbose 4>&1
        $verbose = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
        $verbose | Should -Match 'SmtpPs uses: PIPELINING, CHUNKING, SIZE, 8BITMIME, SMTPUTF8, DSN, ENHANCEDSTATUSCODES'
        $replies = $output | Where-Object { $_ -is [SmtpPs.SmtpReply] }
        ($replies | Where-Object Stage -EQ 'MailFrom')[0].Command | Should -Match '^MAIL FROM:<jörg@example.org> BODY=8BITMIME SIZE=\d+ SMTPUTF8 ENVID=batch-1$'
        ($replies | Where-Object Stage -EQ 'EndOfData').Command | ForEach-Object { $_ | Should -Match '^BDAT \d+ LAST$' }
        ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
        $recorder.WaitForMessages($before + 3, 30000) | Should -BeTrue
        $relayed = @($recorder.Messages)[$before..($before + 2)]
        foreach ($n in 1..3) {
            $message = $relayed | Where-Object { [System.Text.Encoding]::UTF8.GetString($_.Content) -match "Grüße $n" }
            [System.Text.Encoding]::UTF8.GetString($message.Content) | Should -Match "(?s)\r\n\r\n\.Zeile $n mit Umlauten: äöü\r\n$"
            $message.From | Should -Be 'jörg@example.org'
        }
    }
}
