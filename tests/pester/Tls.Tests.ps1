BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:file = New-MessageFile -Text "Subject: tls`r`n`r`nover TLS`r`n"
    # A throwaway CA, trusted by this user for the length of this file: default validation then
    # accepts certificates it issued for localhost, as it would a public CA's.
    $script:ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority()
    [SmtpPs.TestServer.TestCertificates]::Trust($ca)
    $script:goodCert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca)
    $script:send = @{ From = 'a@example.org'; To = 'b@example.org'; Server = 'localhost'; TimeoutSec = 10 }
}
AfterAll {
    [SmtpPs.TestServer.TestCertificates]::Distrust($ca)
}

Describe 'TLS modes' {
    It 'with STARTTLS offered, -TlsMode <mode> sends over TLS: <tls>' -TestCases @(
        @{ mode = 'Auto'; tls = $true }
        @{ mode = 'StartTlsWhenAvailable'; tls = $true }
        @{ mode = 'StartTls'; tls = $true }
        @{ mode = 'None'; tls = $false }
    ) {
        param($mode, $tls)
        $server = Start-RecordingServer -Certificate $goodCert
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode $mode
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].Secure | Should -Be $tls
            ($replies | Where-Object Stage -EQ 'MailFrom').TlsActive | Should -Be $tls
            ($replies | Where-Object Command -EQ 'STARTTLS').Count | Should -Be ([int]$tls)
        }
        finally { $server.Dispose() }
    }

    It 'without STARTTLS offered, -TlsMode <mode> <outcome>' -TestCases @(
        @{ mode = 'Auto'; outcome = 'sends in plaintext'; delivered = $true }
        @{ mode = 'StartTlsWhenAvailable'; outcome = 'sends in plaintext'; delivered = $true }
        @{ mode = 'None'; outcome = 'sends in plaintext'; delivered = $true }
        @{ mode = 'StartTls'; outcome = 'sends nothing (stripped STARTTLS)'; delivered = $false }
    ) {
        param($mode, $outcome, $delivered)
        $server = Start-RecordingServer
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode $mode -ErrorVariable errors -ErrorAction SilentlyContinue
            $server.WaitForIdle() | Should -BeTrue
            @($server.Messages).Count | Should -Be ([int]$delivered)
            if (-not $delivered) {
                $errors[0].FullyQualifiedErrorId | Should -Be "SmtpStartTlsNotOffered,$cmdletId"
                $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
                @(@($server.Connections)[0].Commands -like 'MAIL*') | Should -BeNullOrEmpty
                @($server.Connections)[0].Commands[-1] | Should -Be 'QUIT'
            }
        }
        finally { $server.Dispose() }
    }

    It 'speaks TLS from the first byte with -TlsMode Implicit' {
        $server = Start-RecordingServer -Certificate $goodCert -ImplicitTls
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode Implicit
            $replies[0].Command | Should -Be '(greeting)'
            $replies[0].TlsActive | Should -BeTrue
            $replies.Command | Should -Not -Contain 'STARTTLS'
            $server.WaitForMessages(1) | Should -BeTrue
            @($server.Messages)[0].Secure | Should -BeTrue
        }
        finally { $server.Dispose() }
    }

    It 'fails, and never retries in plaintext, when implicit TLS meets a plaintext server' {
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode Implicit -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpTlsHandshakeFailed,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
            $null = $server.WaitForClose()
            $server.ConnectionCount | Should -Be 1
            # The server saw a TLS ClientHello and no SMTP command at all.
            $server.Received[0] | Should -Be 0x16
            $server.Commands | Where-Object { $_ -match '^(EHLO|HELO|MAIL|QUIT)' } | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'uses implicit TLS on port 465 with -TlsMode Auto' {
        # Port 465 is privileged: root (as in CI) can bind it on loopback; elsewhere the test says why not.
        try { $server = Start-ScriptedTlsServer (Get-HappyScript) $goodCert -ImplicitTls -Port 465 }
        catch { Set-ItResult -Skipped -Because "port 465 cannot be bound here: $($_.Exception.InnerException.Message)" }
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port 465
            $replies[0].TlsActive | Should -BeTrue
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
            $server.Commands[0] | Should -Match '^EHLO '
        }
        finally { $server.Dispose() }
    }

    It 'after STARTTLS says EHLO again and forgets what it learnt before TLS' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250-AUTH PLAIN|250 STARTTLS', 'read', 'reply 220 go ahead', 'starttls',
            'read', 'reply 250-hi again|250 AUTH LOGIN', 'read', 'reply 334 VXNlcm5hbWU6', 'read', 'reply 334 UGFzc3dvcmQ6', 'read', 'reply 235 ok') +
            (Get-HappyScript)[3..99]
        $server = Start-ScriptedTlsServer $script $goodCert
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential (New-TestCredential)
            $null = $server.WaitForClose()
            $server.Commands[0..2] -replace ' .*' | Should -Be @('EHLO', 'STARTTLS', 'EHLO')
            $server.Commands[3] | Should -Be 'AUTH LOGIN'
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        }
        finally { $server.Dispose() }
    }

    It 'goes on without TLS, with a warning, when STARTTLS is declined in StartTlsWhenAvailable' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 454 4.7.0 TLS not available') + (Get-HappyScript)[3..99]
        $server = Start-ScriptedTlsServer $script $goodCert
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTlsWhenAvailable -WarningVariable warnings -WarningAction SilentlyContinue
            "$warnings" | Should -Match 'declined STARTTLS \(454'
            ($replies | Where-Object Stage -EQ 'EndOfData').TlsActive | Should -BeFalse
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        }
        finally { $server.Dispose() }
    }

    It 'sends nothing when STARTTLS is required and answered <code>' -TestCases @(@{ code = '454 4.7.0 TLS not available' }, @{ code = '502 5.5.1 not implemented' }) {
        param($code)
        $server = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', "reply $code", 'read', 'reply 221 bye') $goodCert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTls -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpStartTlsRejected,$cmdletId"
            $errors[0].TargetObject.Command | Should -Be 'STARTTLS'
            $server.Commands[1..2] | Should -Be @('STARTTLS', 'QUIT')
        }
        finally { $server.Dispose() }
    }
}

Describe 'STARTTLS response injection (CVE-2011-0411, CVE-2021-22947, CVE-2026-41319)' {
    It 'refuses bytes injected after the 220 <shape>, and never parses them' -TestCases @(
        @{ shape = 'in the same segment'; steps = @('raw 220 go ahead\r\n250-AUTH PLAIN\r\n250 ok\r\n') }
        @{ shape = 'as a partial line'; steps = @('raw 220 go ahead\r\n250-AUTH PL') }
        @{ shape = 'delivered byte by byte'; steps = @('bytewise 220 go ahead\r\n250 AUTH PLAIN\r\n') }
        @{ shape = 'in a second segment'; steps = @('reply 220 go ahead', 'raw 250-AUTH PLAIN\r\n250 ok\r\n') }
    ) {
        param($shape, $steps)
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read') + $steps + @('starttls', 'read', 'reply 250 hi', 'read', 'reply 235 ok')
        $server = Start-ScriptedTlsServer $script $goodCert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential (New-TestCredential) -SkipCertificateCheck -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            # Either the injected bytes were seen before the handshake (a protocol error), or they broke it.
            $errors[0].FullyQualifiedErrorId | Should -BeIn @("SmtpProtocolError,$cmdletId", "SmtpTlsHandshakeFailed,$cmdletId")
            $server.Commands | Should -Be @($server.Commands[0], 'STARTTLS')
            $server.Log[0] | Should -Not -Be 'completed'
        }
        finally { $server.Dispose() }
    }

    It 'names the injection when the bytes came with the 220' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'raw 220 go ahead\r\n250-AUTH PLAIN\r\n', 'starttls')
        $server = Start-ScriptedTlsServer $script $goodCert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTls -ErrorVariable errors -ErrorAction SilentlyContinue
            "$($errors[0])" | Should -Match 'STARTTLS command injection'
        }
        finally { $server.Dispose() }
    }
}

Describe 'Certificates' {
    BeforeAll {
        $script:selfSigned = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
        $script:expired = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -30, -1)
        $script:wrongName = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'wrong.smtpps.test', -1, 30, $false)
    }

    It 'refuses <name> by default, saying so, and sends nothing' -TestCases @(
        @{ name = 'an untrusted (self-signed) certificate'; which = 'selfSigned'; says = 'not issued by a trusted authority' }
        @{ name = 'an expired certificate'; which = 'expired'; says = 'expired' }
        @{ name = 'a certificate for another name'; which = 'wrongName'; says = "not valid for the name 'localhost'" }
    ) {
        param($name, $which, $says)
        $server = Start-RecordingServer -Certificate (Get-Variable -Name $which -ValueOnly)
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTls -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpCertificateRejected,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'SecurityError'
            "$($errors[0])" | Should -Match ([regex]::Escape($says))
            $server.WaitForIdle() | Should -BeTrue
            @($server.Messages).Count | Should -Be 0
            # Nothing after STARTTLS went in plaintext: no retry without TLS.
            @($server.Connections).Count | Should -Be 1
            @(@($server.Connections)[0].Commands -like 'MAIL*') | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'accepts <which> with -SkipCertificateCheck' -TestCases @(@{ which = 'selfSigned' }, @{ which = 'expired' }, @{ which = 'wrongName' }) {
        param($which)
        $server = Start-RecordingServer -Certificate (Get-Variable -Name $which -ValueOnly)
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTls -SkipCertificateCheck
            $server.WaitForMessages(1) | Should -BeTrue
            ($replies | Where-Object Stage -EQ 'EndOfData').Tls.Validation | Should -Match '^Skipped'
        }
        finally { $server.Dispose() }
    }

    It 'accepts a pinned self-signed certificate by its SHA-256 thumbprint' {
        $server = Start-RecordingServer -Certificate $selfSigned
        try {
            $thumbprint = [SmtpPs.TestServer.TestCertificates]::Sha256($selfSigned)
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -TlsMode StartTls -CertificateThumbprint $thumbprint
            $server.WaitForMessages(1) | Should -BeTrue
            $tls = ($replies | Where-Object Stage -EQ 'EndOfData').Tls
            $tls.CertificateThumbprintSha256 | Should -Be $thumbprint
            $tls.Validation | Should -Match '^Pinned'
        }
        finally { $server.Dispose() }
    }

    It 'refuses a trusted certificate that is not the pinned one' {
        $server = Start-RecordingServer -Certificate $goodCert
        try {
            $other = [SmtpPs.TestServer.TestCertificates]::Sha256($selfSigned)
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -CertificateThumbprint $other -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpCertificateRejected,$cmdletId"
            "$($errors[0])" | Should -Match 'not the pinned one'
        }
        finally { $server.Dispose() }
    }

    It 'validates against -TlsServerName when -Server is an address' {
        $named = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'mail.smtpps.test', -1, 30, $false)
        $server = Start-RecordingServer -Certificate $named
        try {
            $address = @{ From = 'a@example.org'; To = 'b@example.org'; Server = '127.0.0.1'; Port = $server.Port; TlsMode = 'StartTls' }
            $null = Send-RawSmtpMail -Path $file @address -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpCertificateRejected,$cmdletId"
            "$($errors[0])" | Should -Match '-TlsServerName'
            $null = Send-RawSmtpMail -Path $file @address -TlsServerName mail.smtpps.test
            $server.WaitForMessages(1) | Should -BeTrue
        }
        finally { $server.Dispose() }
    }

    It 'refuses a malformed thumbprint before connecting' {
        { Send-RawSmtpMail -Path $file @send -Port 25 -CertificateThumbprint 'abc' } | Should -Throw -ErrorId "InvalidCertificateThumbprint,$cmdletId"
    }

    It 'shows the protocol, cipher and certificate on the replies and in -Verbose' {
        $server = Start-RecordingServer -Certificate $goodCert
        try {
            $output = Send-RawSmtpMail -Path $file @send -Port $server.Port -Verbose 4>&1
            $verbose = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message -join "`n"
            $tls = ($output | Where-Object { $_ -is [SmtpPs.SmtpReply] -and $_.Stage -eq 'MailFrom' }).Tls
            $tls.Protocol | Should -BeIn @('Tls12', 'Tls13')
            $tls.CipherSuite | Should -Match '^TLS_'
            $tls.CertificateSubject | Should -Be 'CN=localhost'
            $tls.CertificateIssuer | Should -Be $ca.Subject
            $tls.CertificateNotAfter | Should -BeGreaterThan (Get-Date)
            $tls.Validation | Should -Be 'Trusted'
            $verbose | Should -Match "TLS established: $($tls.Protocol) $($tls.CipherSuite); certificate CN=localhost"
        }
        finally { $server.Dispose() }
    }
}
