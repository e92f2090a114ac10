# The default view of Test-SmtpServer's probe (module/SmtpPs.Format.ps1xml): what a user sees first.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
}

Describe 'The default view of an SmtpPs.SmtpServerProbe' {
    It 'shows whether the probe succeeded and the certificate thumbprint that -CertificateThumbprint takes' {
        $ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs View Test CA')
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca)
        $server = Start-RecordingServer -Certificate $cert
        try {
            $probe = Test-SmtpServer -Server localhost -Port $server.Port -SkipCertificateCheck
            $probe.Succeeded | Should -BeTrue
            $thumbprint = [SmtpPs.TestServer.TestCertificates]::Sha256($cert)
            $probe.CertificateThumbprintSha256 | Should -Be $thumbprint

            # Wide enough that the list view does not wrap the 64 hex digits.
            $view = $probe | Out-String -Width 200
            $view | Should -Match '(?m)^Succeeded\s+: True\s*$'
            $view | Should -Match ('(?m)^CertificateThumbprintSha256\s+: ' + $thumbprint + '\s*$')
        }
        finally { $server.Dispose() }
    }

    It 'shows Succeeded False when the probe stopped early' {
        $cert = [SmtpPs.TestServer.TestCertificates]::IssueServer([SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs View Test CA'))
        $server = Start-RecordingServer -Certificate $cert
        try {
            $probe = Test-SmtpServer -Server localhost -Port $server.Port -ErrorAction SilentlyContinue
            ($probe | Out-String -Width 200) | Should -Match '(?m)^Succeeded\s+: False\s*$'
        }
        finally { $server.Dispose() }
    }
}
