# Composed messages and MimeKit messages piped to Send-RawSmtpMail: the message arrives at a real
# server and an independent parser reads it back. These need Send-RawSmtpMail to take content from
# memory (issue 12's sender side); everything about composing alone is in Compose.Tests.ps1.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MimeTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    $env:PYTHONIOENCODING = 'utf-8'
    $script:pythonSkip = Get-PythonSkipReason
    $script:examples = Join-Path $PSScriptRoot '../../examples'
}

Describe 'New-MimeMessage | Send-RawSmtpMail, the issue''s "done when"' {
    It "delivers 'Rapport d’été' with a PDF through Postfix, read back exactly, with no temporary file and no hand-written header" {
        $skip = (Get-PostfixSkipReason) ?? $pythonSkip
        if ($skip) { Set-ItResult -Skipped -Because $skip }
        $pdf = New-TestBinaryFile -Name 'report.pdf' -Length 300000 -Seed 5
        $body = "Bonjour,`nvoici le rapport d’été.`n.Une ligne qui commence par un point.`nCordialement"
        $recorder = Start-RecordingServer
        $port = Get-FreeTcpPort
        $postfix = Start-PrivatePostfix -Port $port -RelayPort $recorder.Port
        try {
            $temp = [System.IO.Path]::GetTempPath()
            $before = @(Get-ChildItem -LiteralPath $temp -File -ErrorAction SilentlyContinue).FullName
            $replies = New-MimeMessage -From 'Zoë Dupré <zoe@example.org>' -To 'Jürgen <juergen@example.org>' -Subject "Rapport d’été" -Body $body -Attachments $pdf |
                Send-RawSmtpMail -Server 127.0.0.1 -Port $port
            $after = @(Get-ChildItem -LiteralPath $temp -File -ErrorAction SilentlyContinue).FullName
            # Other processes on the machine (pwsh's own IPC sockets) come and go in the temp folder too.
            $new = @($after | Where-Object { $_ -notin $before -and (Split-Path -Leaf $_) -notmatch '^(CoreFxPipe_|dotnet-diagnostic-)' })
            $new | Should -BeNullOrEmpty -Because 'the message goes from memory and its file to the wire'
            ($replies | Where-Object Stage -EQ 'MailFrom').Command | Should -BeLike 'MAIL FROM:<zoe@example.org>*'
            ($replies | Where-Object Stage -EQ 'RcptTo').Command | Should -Be 'RCPT TO:<juergen@example.org>'
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
            $recorder.WaitForMessages(1, 30000) | Should -BeTrue
            $read = Read-MessageWithPython @($recorder.Messages)[0].Content
            $read.subject | Should -BeExactly "Rapport d’été"
            $read.from[0] | Should -Be @('Zoë Dupré', 'zoe@example.org')
            Normalize-Body $read.text | Should -BeExactly $body
            $read.attachments[0].filename | Should -Be 'report.pdf'
            $read.attachments[0].sha256 | Should -Be (Get-Sha256 $pdf)
            $read.header_ascii | Should -BeTrue
            $read.max_line | Should -BeLessOrEqual 998
            $read.defects | Should -BeNullOrEmpty
        }
        finally {
            Stop-PrivatePostfix $postfix
            $recorder.Dispose()
        }
    }
}

Describe 'Send-RawSmtpMail sends composed messages' {
    BeforeEach { $script:server = Start-RecordingServer }
    AfterEach { $server.Dispose() }

    It 'takes the envelope from the message: From, and To, Cc and Bcc once each, and never sends the Bcc field' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $message = New-MimeMessage -From 'A <a@example.org>' -To b@example.org, 'B again <B@example.org>' -Cc c@example.org -Bcc 'secret@example.org' -Subject 'Envelope' -Body 'x'
        $null = $message | Send-RawSmtpMail -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(1) | Should -BeTrue
        $arrived = @($server.Messages)[0]
        $arrived.From | Should -Be 'a@example.org'
        $arrived.To | Should -Be @('b@example.org', 'c@example.org', 'secret@example.org')
        $arrived.Text | Should -Not -Match 'secret@example\.org'
        (Read-MessageWithPython $arrived.Content).has_bcc | Should -BeFalse
    }

    It 'takes the envelope sender from Sender when the message has one' {
        $message = New-MimeMessage -From 'a@example.org, b@example.org' -Sender 'list@example.org' -To c@example.org
        $null = $message | Send-RawSmtpMail -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].From | Should -Be 'list@example.org'
    }

    It 'sends exactly the wire form, with its attachments streamed from their files' {
        $file = New-TestBinaryFile -Name 'stream.bin' -Length 2000000
        $message = New-MimeMessage -From a@example.org -To b@example.org -Attachments $file
        $null = $message | Send-RawSmtpMail -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].Text | Should -BeExactly (Get-Latin1Text ([System.Text.Encoding]::UTF8.GetBytes($message.ToString())))
    }

    It 'sends composed messages and files in one batch over one connection' {
        $file = New-MessageFile -Text "From: f@example.org`r`nSubject: file`r`n`r`nfrom a file`r`n"
        $message = New-MimeMessage -From a@example.org -To b@example.org -Subject composed -Body 'composed'
        $null = $message, $file | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(2) | Should -BeTrue
        @($server.Connections).Count | Should -Be 1
        @($server.Messages)[0].Text | Should -Match 'Subject: composed'
        @($server.Messages)[1].Text | Should -Match 'from a file'
    }

    It 'sends a MimeKit MimeMessage made by other code, without its Bcc field' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $null = New-MimeMessage -From a@example.org -To b@example.org   # loads MimeKit
        $mime = [MimeKit.MimeMessage]::new()
        $mime.From.Add([MimeKit.MailboxAddress]::new('Ops', 'ops@example.org'))
        $mime.To.Add([MimeKit.MailboxAddress]::new('Team', 'team@example.org'))
        $mime.Bcc.Add([MimeKit.MailboxAddress]::new('', 'audit@example.org'))
        $mime.Subject = 'Grüße von MimeKit'
        $text = [MimeKit.TextPart]::new('plain')
        $text.Text = 'Hallo'
        $mime.Body = $text
        $null = $mime | Send-RawSmtpMail -Server 127.0.0.1 -Port $server.Port
        $server.WaitForMessages(1) | Should -BeTrue
        $arrived = @($server.Messages)[0]
        $arrived.From | Should -Be 'ops@example.org'
        $arrived.To | Should -Be @('team@example.org', 'audit@example.org')
        $read = Read-MessageWithPython $arrived.Content
        $read.subject | Should -BeExactly 'Grüße von MimeKit'
        $read.has_bcc | Should -BeFalse
    }

    It 'sends with SMTPUTF8 only when an address is not ASCII' -TestCases @(
        @{ to = 'juergen@example.org'; smtpUtf8 = $false }
        @{ to = 'jürgen@example.org'; smtpUtf8 = $true }
    ) {
        param($to, $smtpUtf8)
        $null = New-MimeMessage -From a@example.org -To $to -Subject 'Grüße' -Body 'Grüße' | Send-RawSmtpMail -Server 127.0.0.1 -Port $server.Port
        $server.WaitForIdle() | Should -BeTrue
        $mail = @($server.Connections)[0].Commands | Where-Object { $_ -like 'MAIL FROM:*' }
        ($mail -match 'SMTPUTF8') | Should -Be $smtpUtf8
    }
}

Describe 'The examples that compose their messages' {
    It 'examples/Send-DailyReport.ps1 sends the report as an attachment and exits 0' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $server = Start-RecordingServer
        $report = New-TestBinaryFile -Name 'daily été.pdf' -Length 50000
        $log = Join-Path $TestDrive 'daily.log'
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-DailyReport.ps1') @(
                '-ReportPath', $report, '-Server', '127.0.0.1', '-Port', $server.Port, '-To', 'ops@example.org', '-LogPath', $log)
            $LASTEXITCODE | Should -Be 0 -Because "$output"
            "$output" | Should -Match '^Delivered <.+@example\.org> to ops@example\.org'
            $server.WaitForMessages(1) | Should -BeTrue
            $arrived = @($server.Messages)[0]
            $arrived.From | Should -Be 'reports@example.org'
            $arrived.To | Should -Be @('ops@example.org')
            $read = Read-MessageWithPython $arrived.Content
            $read.subject | Should -Match '^Daily report \d{4}-\d{2}-\d{2}$'
            $read.attachments[0].filename | Should -Be 'daily été.pdf'
            $read.attachments[0].sha256 | Should -Be (Get-Sha256 $report)
            $read.text | Should -Match 'is attached: daily été\.pdf'
            (Get-Content -LiteralPath $log) -match 'QUIT -> 221' | Should -Not -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'examples/Send-DailyReport.ps1 exits 1 and logs the refusal when the recipient is refused' {
        $server = Start-RecordingServer
        $report = New-TestBinaryFile -Name 'refused.pdf' -Length 100
        $log = Join-Path $TestDrive 'refused.log'
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-DailyReport.ps1') @(
                '-ReportPath', $report, '-Server', '127.0.0.1', '-Port', $server.Port, '-To', 'reject-me@example.org', '-LogPath', $log)
            $LASTEXITCODE | Should -Be 1
            "$output" | Should -Match 'Not delivered \(NotDelivered\)'
            (Get-Content -LiteralPath $log -Raw) | Should -Match 'ERROR .*refused the recipient <reject-me@example.org>'
        }
        finally { $server.Dispose() }
    }

    It 'examples/Send-ProcessReport.ps1 mails Get-Process | ConvertTo-Html with a text alternative' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $server = Start-RecordingServer
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-ProcessReport.ps1') @('-Server', '127.0.0.1', '-Port', $server.Port, '-To', 'oncall@example.org', '-Top', '5')
            $LASTEXITCODE | Should -Be 0 -Because "$output"
            $server.WaitForMessages(1) | Should -BeTrue
            $read = Read-MessageWithPython @($server.Messages)[0].Content
            $read.structure | Should -Be @('multipart/alternative', 'text/plain', 'text/html')
            $read.subject | Should -Match '^Top processes on '
            $read.html | Should -Match '<table>'
            ([regex]::Matches($read.html, '<tr><td>')).Count | Should -Be 5
            $read.text | Should -Match 'Memory \(MB\)'
            $read.max_line | Should -BeLessOrEqual 998
        }
        finally { $server.Dispose() }
    }
}
