# A Pester test of an admin script that sends mail: once with Mock (no server at all), once against
# a real SMTP server on loopback, which is what the script will meet in production.
BeforeAll {
    . (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')
    $script:alertScript = Join-Path $PSScriptRoot 'Send-DiskAlert.ps1'
}

Describe 'Send-DiskAlert.ps1' {
    Context 'with Send-RawSmtpMail mocked' {
        BeforeAll {
            Mock Send-RawSmtpMail { }
        }

        It 'sends nothing when every disk is below the threshold' {
            & $alertScript -Server smtp.invalid -GetUsage { [pscustomobject]@{ Name = 'C'; Percent = 50 } }
            Should -Invoke Send-RawSmtpMail -Times 0 -Exactly
        }

        It 'sends one alert naming the full disks' {
            & $alertScript -Server smtp.invalid -GetUsage { [pscustomobject]@{ Name = 'C'; Percent = 95 }, [pscustomobject]@{ Name = 'D'; Percent = 91 } }
            Should -Invoke Send-RawSmtpMail -Times 1 -Exactly -ParameterFilter { $Server -eq 'smtp.invalid' -and $To -contains 'oncall@example.org' }
        }
    }

    Context 'against a real SMTP server on loopback' -Skip:(-not $env:SMTPPS_EXAMPLE_SMTP_PORT) {
        # The SmtpPs test suite sets SMTPPS_EXAMPLE_SMTP_PORT to a server it started; run alone, this context is skipped.
        It 'is accepted by the server' {
            $result = & $alertScript -Server 127.0.0.1 -Port $env:SMTPPS_EXAMPLE_SMTP_PORT -GetUsage { [pscustomobject]@{ Name = 'C'; Percent = 99 } }
            $result.Status | Should -Be 'Delivered'
        }
    }
}
