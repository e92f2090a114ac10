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

# examples/Send-DailyReport.ps1 and Send-ProcessReport.ps1 compose their messages: ComposeSend.Tests.ps1 runs them.

Describe 'examples/Send-Outbox.ps1' {
    It 'sends a folder over one connection, moves the delivered files and exits 1 for the refused one' {
        $server = Start-RecordingServer
        $outbox = Join-Path $TestDrive ('outbox-' + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $outbox
        "From: a@example.org`r`nTo: one@example.org`r`nSubject: 1`r`n`r`n1`r`n" | Set-Content (Join-Path $outbox '1.eml') -NoNewline
        "From: a@example.org`r`nTo: reject-me@example.org`r`nSubject: 2`r`n`r`n2`r`n" | Set-Content (Join-Path $outbox '2.eml') -NoNewline
        "From: a@example.org`r`nTo: three@example.org`r`nCc: four@example.org`r`nSubject: 3`r`n`r`n3`r`n" | Set-Content (Join-Path $outbox '3.eml') -NoNewline
        try {
            $output = Invoke-FreshPwsh (Join-Path $examples 'Send-Outbox.ps1') @('-Folder', $outbox, '-Server', '127.0.0.1', '-Port', $server.Port)
            $LASTEXITCODE | Should -Be 1
            $output | Should -Contain 'Delivered    2'
            $output | Should -Contain 'NotDelivered 1'
            (Get-ChildItem (Join-Path $outbox 'sent')).Name | Should -Be @('1.eml', '3.eml')
            (Get-ChildItem $outbox -File).Name | Should -Be @('2.eml')
            $server.WaitForMessages(2) | Should -BeTrue
            @($server.Connections).Count | Should -Be 1
            @($server.Messages)[1].To | Should -Be @('three@example.org', 'four@example.org')
        }
        finally { $server.Dispose() }
    }
}

Describe 'examples/Watch-SmtpCertificate.ps1, run as a monitoring system would' {
    BeforeAll {
        $script:ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs Watch Test CA')
        $script:watch = Join-Path $examples 'Watch-SmtpCertificate.ps1'
    }

    It 'says <verdict> "<phrase>" for a certificate valid for <days> days checked against <threshold> days' -TestCases @(
        # Days left are floored: a certificate that ends 30 days from now has 29 whole days left.
        @{ days = 30; threshold = 14; verdict = 'OK'; exit = 0; phrase = 'valid for 29 days (until ' }
        @{ days = 10; threshold = 14; verdict = 'CRITICAL'; exit = 2; phrase = 'expires in 9 days (' }
        @{ days = -2; threshold = 14; verdict = 'CRITICAL'; exit = 2; phrase = 'expired 2 days ago (' }
    ) {
        param($days, $threshold, $verdict, $exit, $phrase)
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, $days)
        $server = Start-RecordingServer -Certificate $cert
        try {
            $output = Invoke-FreshPwsh $watch @('-Server', "localhost:$($server.Port)", '-Days', $threshold, '-SkipCertificateCheck')
            $LASTEXITCODE | Should -Be $exit
            @($output).Count | Should -Be 1
            "$output" | Should -BeLike "$verdict localhost:$($server.Port) certificate CN=localhost $phrase*"
        }
        finally { $server.Dispose() }
    }

    It 'says CRITICAL with the reason for a certificate that validation refuses, however long it is valid' {
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, 300)
        $server = Start-RecordingServer -Certificate $cert
        try {
            $output = Invoke-FreshPwsh $watch @('-Server', "localhost:$($server.Port)")
            $LASTEXITCODE | Should -Be 2
            "$output" | Should -BeLike "CRITICAL localhost:$($server.Port) certificate CN=localhost refused by validation: *trusted*; valid until *"
        }
        finally { $server.Dispose() }
    }

    It 'says OK with a note for such a certificate with -SkipCertificateCheck, and OK without one for a trusted certificate' {
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, 300)
        $server = Start-RecordingServer -Certificate $cert
        try {
            $output = Invoke-FreshPwsh $watch @('-Server', "localhost:$($server.Port)", '-SkipCertificateCheck')
            $LASTEXITCODE | Should -Be 0
            "$output" | Should -BeLike "OK localhost:$($server.Port) certificate CN=localhost valid for 299 days (until *), Tls1?; not validated (-SkipCertificateCheck): *trusted*"

            [SmtpPs.TestServer.TestCertificates]::Trust($ca)
            try { $output = Invoke-FreshPwsh $watch @('-Server', "localhost:$($server.Port)") }
            finally { [SmtpPs.TestServer.TestCertificates]::Distrust($ca) }
            $LASTEXITCODE | Should -Be 0
            "$output" | Should -BeLike "OK localhost:$($server.Port) certificate CN=localhost valid for 299 days (until *), Tls1?"
        }
        finally { $server.Dispose() }
    }

    It 'takes several servers as one comma-separated argument, as pwsh -File passes them' {
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, 30)
        $first = Start-RecordingServer -Certificate $cert
        $second = Start-RecordingServer -Certificate $cert
        try {
            $output = Invoke-FreshPwsh $watch @('-Server', "localhost:$($first.Port),localhost:$($second.Port)", '-SkipCertificateCheck')
            $LASTEXITCODE | Should -Be 0
            $output | Should -HaveCount 2
            $output[0] | Should -BeLike "OK localhost:$($first.Port) certificate CN=localhost valid for 29 days *"
            $output[1] | Should -BeLike "OK localhost:$($second.Port) certificate CN=localhost valid for 29 days *"
        }
        finally { $first.Dispose(); $second.Dispose() }
    }
}

Describe 'The examples'' Pester tests, run as a user would run them' {
    BeforeAll {
        function Invoke-ExampleTests([string] $TestFile, [string] $PesterVersion) {
            # A fresh pwsh with only the module on its path and the chosen Pester: what a user has.
            $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
            $pester = Join-Path $packages "pester/$PesterVersion/tools/Pester.psd1"
            $runner = Join-Path $TestDrive "run-$PesterVersion.ps1"
            @"
Import-Module '$pester'
`$result = Invoke-Pester -Path '$TestFile' -PassThru -Output None
"Pester `$((Get-Module Pester).Version): `$(`$result.PassedCount) passed, `$(`$result.FailedCount) failed, `$(`$result.SkippedCount) skipped"
"@ | Set-Content -LiteralPath $runner
            "$(Invoke-FreshPwsh $runner)"
        }
    }

    It 'examples/Send-DiskAlert.Tests.ps1 passes against the capture server' {
        Invoke-ExampleTests (Join-Path $examples 'Send-DiskAlert.Tests.ps1') '5.7.1' | Should -Be 'Pester 5.7.1: 3 passed, 0 failed, 0 skipped'
    }

    It 'examples/Send-Report.Tests.ps1 (a Send-MailMessage script) passes on Pester <version>' -TestCases @(
        @{ version = '5.7.1' }
        @{ version = '6.2.0' }
    ) {
        param($version)
        Invoke-ExampleTests (Join-Path $examples 'Send-Report.Tests.ps1') $version | Should -Be "Pester ${version}: 2 passed, 0 failed, 0 skipped"
    }

    It 'examples/Send-Report.Tests.ps1 is the Pester example of Get-Help Start-SmtpTestServer' {
        $example = (Get-Help Start-SmtpTestServer).examples.example | Where-Object { $_.title -match 'Pester' }
        $file = (Get-Content -LiteralPath (Join-Path $examples 'Send-Report.Tests.ps1') -Raw) -replace "`r`n", "`n"
        $example.code.Trim() | Should -BeExactly $file.Trim()
    }
}
