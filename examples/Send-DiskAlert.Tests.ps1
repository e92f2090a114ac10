# A Pester test of an admin script that sends mail, against the SMTP capture server that ships in SmtpPs:
# a real server on loopback, started in BeforeAll, that records what the script sent and refuses on cue.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')
    $script:alertScript = Join-Path $PSScriptRoot 'Send-DiskAlert.ps1'
    $script:server = Start-SmtpTestServer
}

AfterAll {
    $server | Stop-SmtpTestServer
}

Describe 'Send-DiskAlert.ps1' {
    AfterEach {
        $server | Clear-SmtpTestFault
        $server | Clear-SmtpTestMessage
    }

    It 'sends nothing when every disk is below the threshold' {
        & $alertScript -Server 127.0.0.1 -Port $server.Port -GetUsage { [pscustomobject]@{ Name = 'C'; Percent = 50 } }
        $server.Connections | Should -BeNullOrEmpty
    }

    It 'sends one alert to on-call naming the full disks' {
        $result = & $alertScript -Server 127.0.0.1 -Port $server.Port -GetUsage {
            [pscustomobject]@{ Name = 'C'; Percent = 95 }, [pscustomobject]@{ Name = 'D'; Percent = 91 }
        }
        $result.Status | Should -Be 'Delivered'
        $message = $server | Get-SmtpTestMessage -Count 1
        $message.MailFrom | Should -Be 'monitor@example.org'
        $message.RcptTo | Should -Be 'oncall@example.org'
        $message.Subject | Should -Be 'Disk space alert (2)'
        $message.TextBody | Should -Match 'Drive C is 95% full\.\r?\nDrive D is 91% full\.'
    }

    It 'fails, and sends nothing, when the relay refuses the on-call address' {
        $server | Add-SmtpTestFault -Stage RcptTo -Recipient 'oncall@*' -Code 550 -Text '5.1.1 No such user'
        { & $alertScript -Server 127.0.0.1 -Port $server.Port -GetUsage { [pscustomobject]@{ Name = 'C'; Percent = 99 } } } |
            Should -Throw
        $server | Get-SmtpTestMessage | Should -BeNullOrEmpty
        ($server | Get-SmtpTestTransaction).RefusedRecipients | Should -Be 'oncall@example.org'
    }
}
