BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:examples = Join-Path $PSScriptRoot '../../examples'
}

Describe 'examples/hello.txt' {
    It 'is delivered as it is in the file' {
        $server = Start-RecordingServer
        try {
            $path = Join-Path $examples 'hello.txt'
            $null = Send-RawSmtpMail -Path $path -From demo@example.org -To you@example.org -Server 127.0.0.1 -Port $server.Port
            $server.WaitForMessages(1) | Should -BeTrue
            $expected = (Get-Content -LiteralPath $path -Raw) -replace "`r`n", "`n" -replace "`n", "`r`n"
            @($server.Messages)[0].Text | Should -BeExactly $expected
        }
        finally { $server.Dispose() }
    }
}

Describe 'examples/Send-DailyReport.ps1, run as a scheduler would' {
    BeforeEach {
        $script:report = New-MessageFile -Text "All systems nominal.`n.hidden dot line`n" -Name 'report.txt'
        $script:log = Join-Path $TestDrive 'daily.log'
    }

    It 'sends the report, logs every reply and exits 0' {
        $server = Start-RecordingServer
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-DailyReport.ps1') @(
                '-ReportPath', $report, '-Server', '127.0.0.1', '-Port', $server.Port, '-To', 'ops@example.org', '-LogPath', $log)
            $LASTEXITCODE | Should -Be 0
            "$output" | Should -Match '^Delivered <.+> to ops@example.org'
            $server.WaitForMessages(1) | Should -BeTrue
            $message = @($server.Messages)[0]
            $message.To | Should -Be @('ops@example.org')
            $message.Text | Should -Match "(?m)^Subject: Daily report \d{4}-\d{2}-\d{2}\r$"
            $message.Text | Should -Match "\r\n\r\nAll systems nominal\.\r\n\.hidden dot line\r\n$"
            (Get-Content -LiteralPath $log) -match 'QUIT -> 221' | Should -Not -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'exits 1 and logs the refusal when the recipient is refused' {
        $server = Start-RecordingServer
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-DailyReport.ps1') @(
                '-ReportPath', $report, '-Server', '127.0.0.1', '-Port', $server.Port, '-To', 'reject-me@example.org', '-LogPath', $log)
            $LASTEXITCODE | Should -Be 1
            "$output" | Should -Match 'Not delivered \(NotDelivered\)'
            (Get-Content -LiteralPath $log -Raw) | Should -Match 'ERROR .*refused the recipient <reject-me@example.org>'
        }
        finally { $server.Dispose() }
    }
}
