Describe 'Send-Report.ps1' {
    BeforeAll {
        Import-Module SmtpPs
        $server = Start-SmtpTestServer
        $script = Join-Path $PSScriptRoot 'Send-Report.ps1'
    }

    AfterAll {
        $server | Stop-SmtpTestServer
    }

    AfterEach {
        $server | Clear-SmtpTestFault
        $server | Clear-SmtpTestMessage
    }

    It 'mails the report to the team, with the CSV attached' {
        & $script -SmtpServer 127.0.0.1 -Port $server.Port -To team@example.org, boss@example.org

        $message = $server | Get-SmtpTestMessage -Count 1
        $message.RcptTo | Should -Be @('team@example.org', 'boss@example.org')
        $message.Subject | Should -Be 'Weekly report'
        $message.Attachments.FileName | Should -Be 'report.csv'
        $server | Should -HaveReceivedMail -To boss@example.org -Subject 'Weekly*' -Times 1
    }

    It 'reports a recipient the server refuses' {
        $server | Add-SmtpTestFault -Stage RcptTo -Recipient 'nobody@*' -Code 550 -Text '5.1.1 No such user'

        { & $script -SmtpServer 127.0.0.1 -Port $server.Port -To nobody@example.org -ErrorAction Stop } |
            Should -Throw '*No such user*'
        $server | Should -Not -HaveReceivedMail
        ($server | Get-SmtpTestTransaction).RefusedRecipients | Should -Be 'nobody@example.org'
    }
}
