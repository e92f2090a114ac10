BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs Probe Test CA')
    [SmtpPs.TestServer.TestCertificates]::Trust($ca)
    $script:cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca)
    $script:expired = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, -3)
}
AfterAll {
    [SmtpPs.TestServer.TestCertificates]::Distrust($ca)
}

Describe 'Test-SmtpServer' {
    It 'describes a server with STARTTLS: capabilities before and after TLS, SIZE, AUTH, TLS and certificate' {
        $server = Start-RecordingServer -Certificate $cert -Users @{ alice = 'correct horse battery staple' }
        try {
            $probe = Test-SmtpServer -Server localhost -Port $server.Port
            $probe | Should -BeOfType ([SmtpPs.SmtpServerProbe])
            $probe.Succeeded | Should -BeTrue
            $probe.GreetingCode | Should -Be 220
            $probe.Greeting | Should -Match 'test.smtpps.invalid'
            $probe.StartTlsOffered | Should -BeTrue
            $probe.CapabilitiesBeforeTls | Should -Contain 'STARTTLS'
            $probe.CapabilitiesBeforeTls | Should -Not -Contain 'AUTH PLAIN LOGIN'
            $probe.CapabilitiesAfterTls | Should -Contain 'AUTH PLAIN LOGIN'
            $probe.AuthMechanisms | Should -Be @('PLAIN', 'LOGIN')
            $probe.TlsActive | Should -BeTrue
            $probe.TlsProtocol | Should -BeIn @('Tls12', 'Tls13')
            $probe.CertificateSubject | Should -Be 'CN=localhost'
            $probe.CertificateIssuer | Should -Be $ca.Subject
            $probe.CertificateDaysLeft | Should -BeIn @(29, 30)
            $probe.CertificateValidation | Should -Be 'Trusted'
            $probe.Authenticated | Should -BeNullOrEmpty
            @($probe.Replies.Command -like 'MAIL*') | Should -BeNullOrEmpty
            @($server.Messages).Count | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'reads the SIZE limit' {
        $server = Start-ScriptedServer @('reply 220 hi', 'read', 'reply 250-hi|250-SIZE 35882577|250 8BITMIME', 'read', 'reply 221 bye')
        try {
            $probe = Test-SmtpServer -Server 127.0.0.1 -Port $server.Port
            $probe.SizeLimit | Should -Be 35882577
            $probe.TlsActive | Should -BeFalse
            $probe.CapabilitiesAfterTls | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'says whether the credentials work: <works>' -TestCases @(@{ works = $true; password = 'correct horse battery staple' }, @{ works = $false; password = 'wrong' }) {
        param($works, $password)
        $server = Start-RecordingServer -Certificate $cert -Users @{ alice = 'correct horse battery staple' }
        try {
            $probe = Test-SmtpServer -Server localhost -Port $server.Port -Credential (New-TestCredential -Password $password) -ErrorAction SilentlyContinue
            $probe.Authenticated | Should -Be $works
            $probe.Succeeded | Should -Be $works
        }
        finally { $server.Dispose() }
    }

    It 'still reports an expired certificate, with negative days left, when validation refuses it' {
        $server = Start-RecordingServer -Certificate $expired
        try {
            $probe = Test-SmtpServer -Server localhost -Port $server.Port -TlsMode StartTls -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be 'SmtpCertificateRejected,SmtpPs.Commands.TestSmtpServerCommand'
            $probe.Succeeded | Should -BeFalse
            $probe.Error | Should -Match 'expired'
            $probe.CertificateDaysLeft | Should -BeLessThan 0
            $probe.CertificateValidation | Should -Match '^Refused'
            $probe.TlsActive | Should -BeFalse
        }
        finally { $server.Dispose() }
    }

    It 'shows a probe as a list with the essentials' {
        $server = Start-RecordingServer -Certificate $cert
        try {
            $list = Test-SmtpServer -Server localhost -Port $server.Port | Format-List | Out-String
            foreach ($label in 'Server', 'Greeting', 'StartTlsOffered', 'Tls', 'CertificateDaysLeft', 'AuthMechanisms', 'BeforeTls', 'AfterTls') {
                $list | Should -Match "(?m)^$label\s+:"
            }
        }
        finally { $server.Dispose() }
    }
}
