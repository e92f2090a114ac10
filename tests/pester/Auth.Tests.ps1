BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    # Complete headers: with -Debug, even a warning about a missing Date would prompt (and fail) in a non-interactive run.
    $script:file = New-MessageFile -Text "From: a@example.org`r`nDate: Mon, 30 Nov 2026 08:00:00 +0000`r`nMessage-ID: <auth@example.org>`r`nSubject: auth`r`n`r`nauthenticated`r`n"
    $script:cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
    $script:pin = [SmtpPs.TestServer.TestCertificates]::Sha256($cert)
    $script:password = 'correct horse battery staple'
    $script:credential = New-TestCredential -User alice -Password $password
    $script:send = @{ From = 'a@example.org'; To = 'b@example.org'; Server = 'localhost'; TimeoutSec = 10; CertificateThumbprint = $pin }

    function Get-TlsPrelude([string] $AuthLine) {
        <# A scripted server's steps up to AUTH: greeting, EHLO, STARTTLS, handshake, EHLO again. #>
        @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go ahead', 'starttls', 'read', "reply 250-hi again|250 $AuthLine")
    }
    $script:afterAuth = (Get-HappyScript)[3..99]
}

Describe 'AUTH against the real ESMTP server (PLAIN and LOGIN, verified by the server)' {
    BeforeEach {
        $script:server = Start-RecordingServer -Certificate $cert -Users @{ alice = $password }
    }
    AfterEach { $server.Dispose() }

    It 'authenticates with <mechanism> and sends the message as that user' -TestCases @(@{ mechanism = 'PLAIN' }, @{ mechanism = 'LOGIN' }) {
        param($mechanism)
        $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -AuthenticationMechanism $mechanism
        ($replies | Where-Object Stage -EQ 'Auth')[-1].Code | Should -Be 235
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].User | Should -Be 'alice'
        @($server.Messages)[0].Secure | Should -BeTrue
    }

    It 'reports a wrong password with <mechanism> as SmtpAuthenticationFailed and sends no message' -TestCases @(@{ mechanism = 'PLAIN' }, @{ mechanism = 'LOGIN' }) {
        param($mechanism)
        $wrong = New-TestCredential -User alice -Password 'wrong password'
        $output = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $wrong -AuthenticationMechanism $mechanism -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationFailed,$cmdletId"
        $errors[0].CategoryInfo.Category | Should -Be 'AuthenticationError'
        $errors[0].TargetObject.Code | Should -Be 535
        ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        $server.WaitForIdle() | Should -BeTrue
        @($server.Messages).Count | Should -Be 0
    }

    It 'requires TLS for credentials by default and authenticates only after it' {
        $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential
        $stages = @($replies.Stage)
        [array]::IndexOf($stages, [SmtpPs.SmtpStage]::StartTls) | Should -BeLessThan ([array]::IndexOf($stages, [SmtpPs.SmtpStage]::Auth))
        ($replies | Where-Object Stage -EQ 'Auth').TlsActive | Should -Not -Contain $false
    }
}

Describe 'AUTH mechanisms against a scripted server' {
    It 'prefers CRAM-MD5 and answers the challenge with the HMAC-MD5 of the password' {
        $challenge = '<1896.697170952@postoffice.example.net>'
        $script = (Get-TlsPrelude 'AUTH PLAIN LOGIN CRAM-MD5') + @('read', "reply 334 $(ConvertTo-Base64 $challenge)", 'read', 'reply 235 ok') + $afterAuth
        $server = Start-ScriptedTlsServer $script $cert
        try {
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential
            $null = $server.WaitForClose()
            $hmac = [System.Security.Cryptography.HMACMD5]::new([System.Text.Encoding]::UTF8.GetBytes($password))
            $digest = -join ($hmac.ComputeHash([System.Text.Encoding]::UTF8.GetBytes($challenge)) | ForEach-Object { $_.ToString('x2') })
            $server.Commands[3] | Should -Be 'AUTH CRAM-MD5'
            $server.Commands[4] | Should -Be (ConvertTo-Base64 "alice $digest")
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        }
        finally { $server.Dispose() }
    }

    It 'reports a refused CRAM-MD5 response as SmtpAuthenticationFailed' {
        $script = (Get-TlsPrelude 'AUTH CRAM-MD5') + @('read', "reply 334 $(ConvertTo-Base64 '<1.2@x>')", 'read', 'reply 535 5.7.8 bad', 'read', 'reply 221 bye')
        $server = Start-ScriptedTlsServer $script $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationFailed,$cmdletId"
            $null = $server.WaitForClose()
            @($server.Commands -like 'MAIL*') | Should -BeNullOrEmpty
            $server.Commands[-1] | Should -Be 'QUIT'
        }
        finally { $server.Dispose() }
    }

    It 'sends an access token with <mechanism>' -TestCases @(
        @{ mechanism = 'XOAUTH2'; offered = 'AUTH XOAUTH2'; expected = "user=alice@example.org`u{1}auth=Bearer tok-123`u{1}`u{1}" }
        @{ mechanism = 'OAUTHBEARER'; offered = 'AUTH XOAUTH2 OAUTHBEARER'; expected = "n,a=alice@example.org,`u{1}host=localhost`u{1}port=PORT`u{1}auth=Bearer tok-123`u{1}`u{1}" }
    ) {
        param($mechanism, $offered, $expected)
        $server = Start-ScriptedTlsServer ((Get-TlsPrelude $offered) + @('read', 'reply 235 ok') + $afterAuth) $cert
        try {
            $token = ConvertTo-SecureString 'tok-123' -AsPlainText -Force
            $replies = Send-RawSmtpMail -Path $file @send -Port $server.Port -UserName alice@example.org -AccessToken $token
            $null = $server.WaitForClose()
            $server.Commands[3] | Should -Be "AUTH $mechanism $(ConvertTo-Base64 ($expected -creplace 'PORT', $server.Port))"
            ($replies | Where-Object Stage -EQ 'Auth').Command | Should -Be "AUTH $mechanism ***"
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        }
        finally { $server.Dispose() }
    }

    It 'answers the <mechanism> error challenge with <answer> and reports the final 5xx' -TestCases @(
        @{ mechanism = 'XOAUTH2'; answer = '(an empty line)'; line = '' }
        @{ mechanism = 'OAUTHBEARER'; answer = 'AQ== (0x01)'; line = 'AQ==' }
    ) {
        param($mechanism, $answer, $line)
        $error = ConvertTo-Base64 '{"status":"invalid_token","schemes":"bearer","scope":"https://mail.example/"}'
        $script = (Get-TlsPrelude "AUTH $mechanism") + @('read', "reply 334 $error", 'read', 'reply 535 5.7.3 Authentication unsuccessful', 'read', 'reply 221 bye')
        $server = Start-ScriptedTlsServer $script $cert
        try {
            $token = ConvertTo-SecureString 'expired-token' -AsPlainText -Force
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -UserName alice@example.org -AccessToken $token -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $server.Commands[4] | Should -BeExactly $line
            $server.Commands[5] | Should -Be 'QUIT'
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationFailed,$cmdletId"
            $errors[0].TargetObject.Code | Should -Be 535
        }
        finally { $server.Dispose() }
    }

    It 'reports <code> to AUTH as <id> (<category>)' -TestCases @(
        @{ code = '534 5.7.9 Authentication mechanism is too weak'; id = 'SmtpAuthenticationTooWeak'; category = 'PermissionDenied' }
        @{ code = '538 5.7.11 Encryption required'; id = 'SmtpAuthenticationNeedsEncryption'; category = 'AuthenticationError' }
        @{ code = '454 4.7.0 Temporary authentication failure'; id = 'SmtpAuthenticationUnavailable'; category = 'AuthenticationError' }
        @{ code = '535 5.7.8 Authentication credentials invalid'; id = 'SmtpAuthenticationFailed'; category = 'AuthenticationError' }
    ) {
        param($code, $id, $category)
        $server = Start-ScriptedTlsServer ((Get-TlsPrelude 'AUTH PLAIN') + @('read', "reply $code", 'read', 'reply 221 bye')) $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be $category
        }
        finally { $server.Dispose() }
    }

    It 'reports a 530 to MAIL (authentication required) as SmtpAuthenticationRequired' {
        $server = Start-ScriptedTlsServer ((Get-TlsPrelude 'SIZE 1000') + @('read', 'reply 530 5.7.0 Authentication required', 'read', 'reply 221 bye')) $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationRequired,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'PermissionDenied'
        }
        finally { $server.Dispose() }
    }

    It 'cancels with * and gives up after five challenges' {
        $script = (Get-TlsPrelude 'AUTH LOGIN') + @(foreach ($i in 1..6) { 'read', 'reply 334 VXNlcm5hbWU6' }) + @('read', 'reply 501 cancelled')
        $server = Start-ScriptedTlsServer $script $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
            "$($errors[0])" | Should -Match 'more than 5 AUTH challenges'
            $server.Commands[-1] | Should -Be '*'
        }
        finally { $server.Dispose() }
    }

    It 'cancels a challenge that is not base64' {
        $script = (Get-TlsPrelude 'AUTH CRAM-MD5') + @('read', 'reply 334 !!!not base64!!!', 'read', 'reply 501 cancelled')
        $server = Start-ScriptedTlsServer $script $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
            $server.Commands[-1] | Should -Be '*'
        }
        finally { $server.Dispose() }
    }
}

Describe 'Credentials are safe by default' {
    It 'refuses credentials with -TlsMode None before connecting' {
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $thrown = { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TlsMode None -Credential $credential } |
                Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be "UnencryptedAuthenticationRefused,$cmdletId"
            $thrown.CategoryInfo.Category | Should -Be 'SecurityError'
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'does not send credentials when the server offers no STARTTLS (stripped), and sends nothing unauthenticated' {
        $server = Start-ScriptedServer @('reply 220 hi', 'read', 'reply 250-hi|250 AUTH PLAIN', 'read', 'reply 221 bye')
        try {
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpStartTlsNotOffered,$cmdletId"
            $server.Commands -replace ' .*' | Should -Be @('EHLO', 'QUIT')
        }
        finally { $server.Dispose() }
    }

    It 'sends credentials in plaintext only with -AllowUnencryptedAuthentication' {
        $server = Start-ScriptedServer (@('reply 220 hi', 'read', 'reply 250-hi|250 AUTH PLAIN', 'read', 'reply 235 ok') + $afterAuth)
        try {
            $replies = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -Credential $credential -TlsMode None -AllowUnencryptedAuthentication
            $null = $server.WaitForClose()
            $server.Commands[1] | Should -Be "AUTH PLAIN $(ConvertTo-Base64 "`0alice`0$password")"
            ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        }
        finally { $server.Dispose() }
    }

    It 'fails, and sends nothing unauthenticated, when the server offers no AUTH' {
        $server = Start-ScriptedTlsServer ((Get-TlsPrelude 'SIZE 1000') + @('read', 'reply 221 bye')) $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationNotOffered,$cmdletId"
            $server.Commands[-1] | Should -Be 'QUIT'
            @($server.Commands -like 'MAIL*') | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'fails when the forced mechanism is not offered, without falling back' {
        $server = Start-ScriptedTlsServer ((Get-TlsPrelude 'AUTH PLAIN LOGIN') + @('read', 'reply 221 bye')) $cert
        try {
            $null = Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -AuthenticationMechanism CRAM-MD5 -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationMechanismUnavailable,$cmdletId"
            $null = $server.WaitForClose()
            $server.Commands | Where-Object { $_ -like 'AUTH*' } | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }

    It 'never shows the password or its base64 forms in any output stream, error or exception' {
        $script = (Get-TlsPrelude 'AUTH LOGIN') + @('read', 'reply 334 VXNlcm5hbWU6', 'read', 'reply 334 UGFzc3dvcmQ6', 'read', 'reply 535 5.7.8 no', 'read', 'reply 221 bye')
        $server = Start-ScriptedTlsServer $script $cert
        $plainServer = Start-ScriptedServer (@('reply 220 hi', 'read', 'reply 250-hi|250 AUTH PLAIN', 'read', 'reply 235 ok') + $afterAuth)
        try {
            $Error.Clear()
            $all = & {
                Send-RawSmtpMail -Path $file @send -Port $server.Port -Credential $credential -Verbose -Debug -InformationAction Continue -ErrorAction Continue -PassThru
                Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $plainServer.Port -Credential $credential -TlsMode None -AllowUnencryptedAuthentication -Verbose -Debug -InformationAction Continue -PassThru
            } *>&1 2>&1 | ForEach-Object { $_ }
            $text = (@($all | Format-List * -Force | Out-String -Width 4096) + @($all | ForEach-Object { "$_" }) +
                @($Error | ForEach-Object { "$_"; $_.Exception.ToString(); $_.TargetObject | Format-List * -Force | Out-String -Width 4096 })) -join "`n"
            $text | Should -Match 'AUTH LOGIN'
            $text | Should -Match 'AUTH PLAIN \*\*\*'
            $secrets = @($password, (ConvertTo-Base64 $password), (ConvertTo-Base64 "`0alice`0$password"), 'Y29ycmVjdCBob3JzZS')
            foreach ($secret in $secrets) { $text | Should -Not -Match ([regex]::Escape($secret)) }
            $null = $server.WaitForClose()
            $server.Commands[5] | Should -Be (ConvertTo-Base64 $password)   # it did go to the server
        }
        finally { $server.Dispose(); $plainServer.Dispose() }
    }
}
