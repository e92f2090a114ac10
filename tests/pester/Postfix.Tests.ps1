BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    # Reported on every test of this file when Postfix cannot run here, so a skip is never silent.
    $script:skipReason = Get-PostfixSkipReason
}

Describe 'Interop with a private Postfix instance on loopback' {
    BeforeAll {
        if (-not $skipReason) {
            $script:recorder = Start-RecordingServer
            $script:postfixPort = Get-FreeTcpPort
            $script:startTlsPort = Get-FreeTcpPort
            $script:implicitTlsPort = Get-FreeTcpPort
            # Postfix presents a certificate for localhost issued by a throwaway CA that this user trusts
            # while the tests run: validation is the default one, not switched off.
            $script:ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs Postfix Test CA')
            $script:postfixCert = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca)
            [SmtpPs.TestServer.TestCertificates]::Trust($ca)
            $script:postfixDir = Start-PrivatePostfix -Port $postfixPort -RelayPort $recorder.Port -Certificate $postfixCert -Chain $ca `
                -StartTlsPort $startTlsPort -ImplicitTlsPort $implicitTlsPort
        }
    }
    AfterAll {
        if (-not $skipReason) {
            Stop-PrivatePostfix $postfixDir
            [SmtpPs.TestServer.TestCertificates]::Distrust($ca)
            $recorder.Dispose()
        }
    }

    It 'delivers over <how> with the certificate validated (<validation>)' -TestCases @(
        @{ how = 'STARTTLS'; portName = 'startTlsPort'; mode = 'StartTls'; pinned = $false; validation = 'Trusted' }
        @{ how = 'implicit TLS'; portName = 'implicitTlsPort'; mode = 'Implicit'; pinned = $false; validation = 'Trusted' }
        @{ how = 'STARTTLS'; portName = 'startTlsPort'; mode = 'StartTls'; pinned = $true; validation = 'Pinned' }
    ) {
        param($how, $portName, $mode, $pinned, $validation)
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $port = Get-Variable -Name $portName -ValueOnly
        $id = [guid]::NewGuid().ToString('n')
        $file = New-MessageFile -Text "Subject: tls $id`r`nMessage-ID: <$id@example.org>`r`n`r`n.dot line over TLS`r`n"
        $extra = if ($pinned) { @{ CertificateThumbprint = [SmtpPs.TestServer.TestCertificates]::Sha256($postfixCert) } } else { @{} }
        $before = @($recorder.Messages).Count
        $replies = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server localhost -Port $port -TlsMode $mode @extra
        $final = $replies | Where-Object Stage -EQ 'EndOfData'
        $final.Code | Should -Be 250
        $final.Tls.Validation | Should -Match "^$validation"
        $final.Tls.CertificateIssuer | Should -Be $ca.Subject
        $recorder.WaitForMessages($before + 1, 30000) | Should -BeTrue
        $relayed = @($recorder.Messages) | Where-Object { $_.Text -match $id }
        # Postfix records the TLS session in its Received header: "with ESMTPS".
        $relayed.Text | Should -Match 'with ESMTPS id'
        $relayed.Text | Should -Match "(?s)\r\n\r\n\.dot line over TLS\r\n$"
    }

    It 'delivers the file body byte for byte through Postfix (smtpd, queue, smtp relay)' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $content = "From: a@example.org`r`nTo: b@example.org`r`nSubject: interop`r`nMessage-ID: <interop-1@example.org>`r`n`r`n" +
            "first line`r`n.leading dot`r`n.`r`n..two dots`nbare LF line`r`n" + ('x' * 900) + "`r`nlast line without line break"
        $file = New-MessageFile -Text $content
        $before = @($recorder.Messages).Count
        $replies = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $postfixPort
        $final = $replies | Where-Object Stage -EQ 'EndOfData'
        $final.Code | Should -Be 250
        $final.EnhancedStatusCode | Should -Be '2.0.0'

        $recorder.WaitForMessages($before + 1, 30000) | Should -BeTrue
        $relayed = @($recorder.Messages)[$before]
        $relayed.From | Should -Be 'a@example.org'
        $relayed.To | Should -Be @('b@example.org')
        # Postfix prepends its Received header; everything after it is the file, CRLF-normalised.
        $expected = ($content -replace "`r`n", "`n" -replace "`n", "`r`n") + "`r`n"
        $text = $relayed.Text
        $text | Should -Match '^Received: from '
        $text.Substring($text.IndexOf("From: a@example.org")) | Should -BeExactly $expected
        $queueId = ($replies | Where-Object Stage -EQ 'EndOfData').Text -replace '.*queued as (\w+).*', '$1'
        $text | Should -Match "with ESMTP id $queueId"
    }

    It 'relays every file of a batch sent over one connection' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $before = @($recorder.Messages).Count
        $files = foreach ($n in 1..5) { New-MessageFile -Text "Subject: batch $n`r`nMessage-ID: <batch-$n@example.org>`r`n`r`nbody $n`r`n" }
        $results = $files | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $postfixPort -PassThru |
            Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
        $results.Status | Should -Be (@('Delivered') * 5)
        $results.QueueId | ForEach-Object { $_ | Should -Match '^[0-9A-F]{6,}$' }
        $recorder.WaitForMessages($before + 5, 30000) | Should -BeTrue
        (@($recorder.Messages)[$before..($before + 4)].Text -replace '(?s).*Subject: (batch \d).*', '$1' | Sort-Object) |
            Should -Be @('batch 1', 'batch 2', 'batch 3', 'batch 4', 'batch 5')
    }
}

Describe 'Postfix smtp-sink' {
    BeforeEach {
        $script:port = Get-FreeTcpPort
        $script:dump = Join-Path $TestDrive ("sink-" + [guid]::NewGuid().ToString('n'))
        $null = New-Item -ItemType Directory -Path $dump
        $script:file = New-MessageFile -Text "Subject: sink`r`n`r`n.dot`r`nbody`r`n"
        $script:sink = $null
    }
    AfterEach {
        if ($sink -and -not $sink.HasExited) { $sink.Kill(); $sink.WaitForExit() }
    }

    It 'stores what it was sent, dot-stuffing undone' {
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $script:sink = Start-SmtpSink -Port $port -DumpDirectory $dump
        $replies = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port
        ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        $stored = Get-ChildItem $dump -File | Get-Content -Raw
        $stored | Should -Match 'X-Mail-Args: <a@example.org>'
        $stored | Should -Match "(?m)^Subject: sink\n\n\.dot\nbody\n"
    }

    It 'reports <option> <command> as <id>' -TestCases @(
        @{ option = '-f'; command = 'RCPT'; id = 'SmtpRecipientRejected'; stage = 'RcptTo' }
        @{ option = '-r'; command = 'MAIL'; id = 'SmtpSenderRejected'; stage = 'MailFrom' }
        @{ option = '-f'; command = 'DATA'; id = 'SmtpDataRejected'; stage = 'Data' }
        @{ option = '-f'; command = '.'; id = 'SmtpMessageRejected'; stage = 'EndOfData' }
        @{ option = '-Q'; command = 'RCPT'; id = 'SmtpServiceClosing'; stage = 'RcptTo' }
    ) {
        param($option, $command, $id, $stage)
        if ($skipReason) { Set-ItResult -Skipped -Because $skipReason }
        $script:sink = Start-SmtpSink -Port $port -DumpDirectory $dump -Options @($option, $command)
        $output = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
        $errors[0].TargetObject.Stage | Should -Be $stage
        ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
    }
}
