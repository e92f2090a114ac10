BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:body = "From: a@example.org`r`nTo: b@example.org`r`nSubject: test`r`n`r`nHello.`r`n"
}

Describe 'Send-RawSmtpMail against a real ESMTP server on loopback' {
    BeforeEach {
        $script:server = Start-RecordingServer
        $script:common = @{ From = 'sender@example.org'; To = 'rcpt@example.org'; Server = '127.0.0.1'; Port = $server.Port }
    }
    AfterEach {
        $server.Dispose()
    }

    Context 'one message' {
        BeforeEach {
            $script:file = New-MessageFile -Text $body
            $script:replies = @(Send-RawSmtpMail -Path $file @common)
        }

        It 'writes one SmtpReply per server reply, in dialogue order' {
            $replies | ForEach-Object { $_ | Should -BeOfType ([SmtpPs.SmtpReply]) }
            $replies.Command | Should -Be @('(greeting)', $replies[1].Command, 'MAIL FROM:<sender@example.org>', 'RCPT TO:<rcpt@example.org>', 'DATA', '(end of data)', 'QUIT')
            $replies[1].Command | Should -Match '^EHLO \S+$'
            $replies.Code | Should -Be @(220, 250, 250, 250, 354, 250, 221)
        }

        It 'marks every expected reply positive and gives its text and lines' {
            $replies.IsPositive | Should -Not -Contain $false
            $replies[0].Text | Should -Match 'test.smtpps.invalid'
            $replies[1].Lines.Count | Should -BeGreaterThan 1
            $replies[1].Text | Should -Be ($replies[1].Lines -join "`n")
        }

        It 'ties the transaction replies to the file and the session replies to none' {
            ($replies | Where-Object Stage -In 'MailFrom', 'RcptTo', 'Data', 'EndOfData').Path | Should -Be @($file, $file, $file, $file)
            ($replies | Where-Object Stage -In 'Greeting', 'Ehlo', 'Quit').Path | Should -Be @($null, $null, $null)
            $replies[0].Server | Should -Be "127.0.0.1:$($server.Port)"
        }

        It 'measures each reply from its command' {
            $replies | ForEach-Object { $_.Elapsed | Should -BeGreaterThan ([TimeSpan]::Zero) }
        }

        It 'delivers the file byte for byte with the envelope given' {
            $server.WaitForMessages(1) | Should -BeTrue
            $message = @($server.Messages)[0]
            $message.From | Should -Be 'sender@example.org'
            $message.To | Should -Be @('rcpt@example.org')
            Get-Latin1Text $message.Content | Should -BeExactly $body
        }

        It 'puts exactly the file, and CRLF.CRLF, on the wire after 354' {
            $section = @($server.Connections)[0].DataSections[0]
            Get-Latin1Text $section | Should -BeExactly ($body + ".`r`n")
        }
    }

    It 'sends the null reverse-path for -From ""' {
        $file = New-MessageFile -Text $body
        $common.From = ''
        $replies = Send-RawSmtpMail -Path $file @common
        $replies.Command | Should -Contain 'MAIL FROM:<>'
        @($server.Connections)[0].Commands | Should -Contain 'MAIL FROM:<>'
    }

    It 'sends one RCPT TO per recipient' {
        $file = New-MessageFile -Text $body
        $common.To = 'one@example.org', 'two@example.org', 'three@example.org'
        $null = Send-RawSmtpMail -Path $file @common
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].To | Should -Be @('one@example.org', 'two@example.org', 'three@example.org')
        @(@($server.Connections)[0].Commands -match '^RCPT TO:').Count | Should -Be 3
    }

    Context 'many files' {
        BeforeEach {
            $script:dir = Join-Path $TestDrive ("batch-" + [guid]::NewGuid().ToString('n'))
            $null = New-Item -ItemType Directory -Path $dir
            foreach ($n in 1..3) {
                [System.IO.File]::WriteAllText((Join-Path $dir "m$n.eml"), "Subject: $n`r`n`r`nbody $n`r`n")
            }
        }

        It 'sends every file piped from Get-ChildItem over one connection, in order, one transaction each' {
            $replies = Get-ChildItem -LiteralPath $dir -Filter *.eml | Sort-Object Name | Send-RawSmtpMail @common
            $server.WaitForMessages(3) | Should -BeTrue
            @($server.Connections).Count | Should -Be 1
            @($server.Messages).Text | Should -Be @("Subject: 1`r`n`r`nbody 1`r`n", "Subject: 2`r`n`r`nbody 2`r`n", "Subject: 3`r`n`r`nbody 3`r`n")
            @($replies | Where-Object Command -EQ 'QUIT').Count | Should -Be 1
            $replies[-1].Command | Should -Be 'QUIT'
            (@($replies | Where-Object Stage -EQ 'EndOfData').Path | Split-Path -Leaf) | Should -Be @('m1.eml', 'm2.eml', 'm3.eml')
        }

        It 'expands wildcards in -Path' {
            $null = Send-RawSmtpMail -Path (Join-Path $dir 'm*.eml') @common
            $server.WaitForMessages(3) | Should -BeTrue
            @($server.Messages).Count | Should -Be 3
        }

        It 'takes path strings from the pipeline' {
            $null = (Join-Path $dir 'm1.eml'), (Join-Path $dir 'm2.eml') | Send-RawSmtpMail @common
            $server.WaitForMessages(2) | Should -BeTrue
            @($server.Connections).Count | Should -Be 1
        }

        It 'resolves a path relative to the current location' {
            Push-Location $dir
            try { $null = Send-RawSmtpMail -Path ./m2.eml @common } finally { Pop-Location }
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].Text | Should -Match 'body 2'
        }

        It 'resolves ~ to the home directory' {
            $name = "smtpps-test-$([guid]::NewGuid().ToString('n')).eml"
            $home_file = Join-Path $HOME $name
            [System.IO.File]::WriteAllText($home_file, "Subject: home`r`n`r`nfrom home`r`n")
            try { $null = Send-RawSmtpMail -Path "~/$name" @common } finally { Remove-Item -LiteralPath $home_file }
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].Text | Should -Match 'from home'
        }
    }

    It 'takes -LiteralPath without expanding wildcards' {
        $file = New-MessageFile -Text $body -Name 'odd[1].eml'
        $null = Send-RawSmtpMail -LiteralPath $file @common
        $server.WaitForMessages(1) | Should -BeTrue
        { Send-RawSmtpMail -LiteralPath (Join-Path $TestDrive 'odd[*].eml') @common -ErrorAction Stop } |
            Should -Throw -ErrorId 'MessageFileNotFound,SmtpPs.Commands.SendRawSmtpMailCommand'
    }

    It 'writes one SmtpMessageResult per file with -PassThru' {
        $file = New-MessageFile -Text $body
        $output = Send-RawSmtpMail -Path $file @common -PassThru
        $result = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
        $result.Status | Should -Be 'Delivered'
        $result.AcceptedRecipients | Should -Be @('rcpt@example.org')
        $result.Path | Should -Be $file
        # The message's size as SIZE= counts it: no dot-stuffing, no end-of-data marker.
        $result.BytesSent | Should -Be $body.Length
    }

    It 'sends nothing and opens no connection with -WhatIf' {
        $file = New-MessageFile -Text $body
        $output = Send-RawSmtpMail -Path $file @common -WhatIf
        $output | Should -BeNullOrEmpty
        @($server.Connections).Count | Should -Be 0
    }

    It 'narrates the dialogue with -Verbose' {
        $file = New-MessageFile -Text $body
        $verbose = Send-RawSmtpMail -Path $file @common -Verbose 4>&1 | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }
        $verbose.Message | Should -Contain 'C: MAIL FROM:<sender@example.org>'
        ($verbose.Message -join "`n") | Should -Match 'Connected to 127.0.0.1'
    }

    Context 'refusals' {
        It 'sends to the accepted recipients and writes an error per refused one that says the message went to the others' {
            $file = New-MessageFile -Text $body
            $common.To = 'ok@example.org', 'reject-me@example.org'
            $replies = Send-RawSmtpMail -Path $file @common -ErrorVariable errors -ErrorAction SilentlyContinue
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].To | Should -Be @('ok@example.org')
            $errors.Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be 'SmtpPartiallyDelivered,SmtpPs.Commands.SendRawSmtpMailCommand'
            $errors[0].Exception.Result.Status | Should -Be 'Delivered'
            $errors[0].Exception.Result.AcceptedRecipients | Should -Be @('ok@example.org')
            $errors[0].TargetObject | Should -BeOfType ([SmtpPs.SmtpReply])
            $errors[0].TargetObject.Command | Should -Be 'RCPT TO:<reject-me@example.org>'
            $errors[0].CategoryInfo.Category | Should -Not -Be 'NotSpecified'
            ($replies | Where-Object Command -EQ 'RCPT TO:<reject-me@example.org>').IsPositive | Should -BeFalse
        }

        It 'sends no content when no recipient is accepted' {
            $first = New-MessageFile -Text $body
            $second = New-MessageFile -Text $body
            $common.To = 'reject-a@example.org'
            $null = Send-RawSmtpMail -Path $first @common -ErrorVariable errors -ErrorAction SilentlyContinue
            $common.To = 'ok@example.org'
            $null = Send-RawSmtpMail -Path $second @common
            $server.WaitForIdle() | Should -BeTrue
            @($server.Messages).Count | Should -Be 1
            @($server.Messages)[0].To | Should -Be @('ok@example.org')
            # This server offers PIPELINING: DATA went out with the RCPT (RFC 2920), but no content followed it.
            $commands = @($server.Connections)[0].Commands
            $commands[[array]::IndexOf($commands, 'DATA') + 1] | Should -Be 'QUIT'
            @($server.Connections)[0].DataSections | Should -BeNullOrEmpty
            $errors[0].Exception.Message | Should -Match 'no recipient was accepted'
        }

        It 'resets between a refused transaction and the next one on the same connection' {
            $first = New-MessageFile -Text $body
            $second = New-MessageFile -Text $body
            $common.From = 'reject-sender@example.org'
            $replies = $first, $second | Send-RawSmtpMail @common -ErrorVariable errors -ErrorAction SilentlyContinue -PassThru
            $errors.FullyQualifiedErrorId | Should -Be @('SmtpSenderRejected,SmtpPs.Commands.SendRawSmtpMailCommand', 'SmtpSenderRejected,SmtpPs.Commands.SendRawSmtpMailCommand')
            $commands = @($server.Connections)[0].Commands
            $commands | Should -Contain 'RSET'
            [array]::IndexOf($commands, 'RSET') | Should -BeGreaterThan ([array]::IndexOf($commands, 'MAIL FROM:<reject-sender@example.org>'))
            ($replies | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('NotDelivered', 'NotDelivered')
        }

        It 'stops at the first error with -ErrorAction Stop and still says QUIT' {
            $first = New-MessageFile -Text $body
            $second = New-MessageFile -Text $body
            $common.To = 'reject-x@example.org'
            { $first, $second | Send-RawSmtpMail @common -ErrorAction Stop } |
                Should -Throw -ErrorId 'SmtpRecipientRejected,SmtpPs.Commands.SendRawSmtpMailCommand'
            $server.WaitForIdle() | Should -BeTrue
            $commands = @($server.Connections)[0].Commands
            @($commands -match '^MAIL FROM').Count | Should -Be 1
            $commands[-1] | Should -Be 'QUIT'
        }
    }
}
