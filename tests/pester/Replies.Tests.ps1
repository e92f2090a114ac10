BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:file = New-MessageFile -Text "Subject: t`r`n`r`nbody`r`n"
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'

    function Invoke-Scripted {
        <# Runs Send-RawSmtpMail against a scripted server; returns the replies, errors and the server. #>
        param([string[]] $Script, [hashtable] $Extra = @{}, [string[]] $Files = @($file))
        $server = Start-ScriptedServer $Script
        try {
            $errors = $null
            $output = $Files | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -TimeoutSec 5 @Extra -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            [pscustomobject]@{ Output = @($output); Errors = @($errors); Server = $server; Commands = $server.Commands }
        }
        finally { $server.Dispose() }
    }
}

Describe 'Reading replies' {
    It 'joins a multi-line greeting into one reply with every line' {
        $script = @('reply 220-first line|220-second line|220 third line') + (Get-HappyScript)[1..99]
        $run = Invoke-Scripted $script
        $run.Output[0].Code | Should -Be 220
        $run.Output[0].Lines | Should -Be @('first line', 'second line', 'third line')
        $run.Output[0].Text | Should -Be "first line`nsecond line`nthird line"
        $run.Errors | Should -BeNullOrEmpty
    }

    It 'parses a reply delivered one byte per TCP write the same as a whole one' {
        $script = @('bytewise 220-fragmented\r\n220 greeting done\r\n') + (Get-HappyScript)[1..99]
        $run = Invoke-Scripted $script
        $run.Output[0].Lines | Should -Be @('fragmented', 'greeting done')
        ($run.Output | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
    }

    It 'accepts LF-only line endings and a reply that is only a code' {
        $script = @('raw 220 lf only\n', 'read', 'raw 250\r\n') + (Get-HappyScript)[3..99]
        $run = Invoke-Scripted $script
        $run.Output[0].Text | Should -Be 'lf only'
        $run.Output[1].Code | Should -Be 250
        $run.Output[1].Text | Should -Be ''
        $run.Errors | Should -BeNullOrEmpty
    }

    It 'reads the enhanced status code only when the server advertised ENHANCEDSTATUSCODES' {
        $with = Invoke-Scripted (Get-HappyScript -Ehlo 'reply 250-x|250 ENHANCEDSTATUSCODES')
        ($with.Output | Where-Object Stage -EQ 'RcptTo').EnhancedStatusCode | Should -Be '2.1.5'
        ($with.Output | Where-Object Stage -EQ 'Ehlo').EnhancedStatusCode | Should -Be ''
        $without = Invoke-Scripted (Get-HappyScript)
        ($without.Output | Where-Object Stage -EQ 'RcptTo').EnhancedStatusCode | Should -Be ''
    }

    It 'replaces control characters in the text so that they cannot reach the terminal' {
        $script = @('raw 220 evil \x1b[31mred\x1b[0m \x07bell\r\n') + (Get-HappyScript)[1..99]
        $run = Invoke-Scripted $script
        $run.Output[0].Text | Should -Be "evil $([char]0xFFFD)[31mred$([char]0xFFFD)[0m $([char]0xFFFD)bell"
    }

    It 'reads text that is not UTF-8 as Latin-1' {
        $script = @('raw 220 caf\xe9\r\n') + (Get-HappyScript)[1..99]
        (Invoke-Scripted $script).Output[0].Text | Should -Be "caf$([char]0xE9)"
    }

    It 'takes the queue id from the final 250' {
        $run = Invoke-Scripted (Get-HappyScript -Final 'reply 250 2.0.0 Ok: queued as 4XyZ9') -Extra @{ PassThru = $true }
        ($run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).QueueId | Should -Be '4XyZ9'
    }
}

Describe 'Malformed and hostile replies are protocol errors that close the connection' {
    It 'refuses <name>' -TestCases @(
        @{ name = 'mixed codes in one reply'; bytes = '250-first\r\n550 second\r\n'; message = 'changed the reply code' }
        @{ name = 'a non-numeric code'; bytes = 'XXX hello\r\n'; message = 'malformed' }
        @{ name = 'a four-digit code'; bytes = '2500 ok\r\n'; message = 'malformed' }
        @{ name = 'a 1yz code'; bytes = '199 hello\r\n'; message = 'malformed' }
        @{ name = 'a 6yz code'; bytes = '600 hello\r\n'; message = 'malformed' }
        @{ name = 'a two-digit code'; bytes = '25\r\n'; message = 'malformed' }
        @{ name = 'garbage before the reply'; bytes = 'hello there\r\n250 ok\r\n'; message = 'malformed' }
        @{ name = 'a NUL byte'; bytes = '250 ok\0ok\r\n'; message = 'NUL' }
    ) {
        param($name, $bytes, $message)
        $run = Invoke-Scripted @('reply 220 hi', 'read', "raw $bytes")
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ProtocolError'
        $run.Errors[0].Exception.Message | Should -Match $message
        "$($run.Errors[0])" | Should -Match "Not delivered: '.+'"
        @($run.Commands -like 'MAIL*') | Should -BeNullOrEmpty
    }

    It 'refuses a reply line longer than 8192 octets without reading it whole' {
        $run = Invoke-Scripted @('reply 220 hi', 'read', ('raw 250-' + ('x' * 20000) + '\r\n250 ok\r\n'))
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
        $run.Errors[0].Exception.Message | Should -Match 'longer than 8192'
    }

    It 'refuses endless continuation lines after a bound' {
        $run = Invoke-Scripted @('reply 220 hi', 'read', ('raw ' + ('250-more\r\n' * 300) + '250 end\r\n'))
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
        $run.Errors[0].Exception.Message | Should -Match 'more than 256 lines'
    }

    It 'refuses an unexpected positive code (354 to MAIL) instead of taking it for success' {
        $script = (Get-HappyScript)[0..3] + @('reply 354 go ahead')
        $run = Invoke-Scripted $script -Extra @{ PassThru = $true }
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
        $run.Errors[0].TargetObject.Code | Should -Be 354
        ($run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        $run.Commands | Should -Not -Contain 'DATA'
    }

    It 'refuses a reply that arrives before its command was sent' {
        $script = @('reply 220 hi', 'read', 'reply 250-x|250 ok|250 unsolicited', 'sleep 200', 'read', 'reply 250 ok')
        $run = Invoke-Scripted $script
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpProtocolError,$cmdletId"
        $run.Errors[0].Exception.Message | Should -Match 'nobody asked for'
        @($run.Commands -like 'MAIL*') | Should -BeNullOrEmpty
    }

    It 'reports a connection dropped in the middle of a reply as lost, with the partial text' {
        $run = Invoke-Scripted @('reply 220 hi', 'read', 'raw 250-partial\r\n250-cut', 'close')
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpConnectionLost,$cmdletId"
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ConnectionError'
        $run.Errors[0].Exception.Message | Should -Match 'middle of a reply.*250-cut'
    }
}

Describe 'Refusals that end the session' {
    It 'answers a 554 greeting with QUIT and sends no EHLO' {
        $run = Invoke-Scripted @('reply 554 go away', 'read', 'reply 221 bye')
        $run.Commands | Should -Be @('QUIT')
        $run.Output[0].Code | Should -Be 554
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpGreetingRejected,$cmdletId"
        $run.Errors[0].CategoryInfo.Category | Should -Be 'InvalidOperation'
        $run.Errors[0].TargetObject.Code | Should -Be 554
    }

    It 'closes at once after a 421 greeting without sending anything' {
        $run = Invoke-Scripted @('reply 421 busy, try later', 'sleep 300')
        $run.Commands | Should -BeNullOrEmpty
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpServiceClosing,$cmdletId"
        $run.Errors[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
    }

    It 'falls back to HELO when EHLO gets <code>' -TestCases @(@{ code = 500 }, @{ code = 502 }) {
        param($code)
        $script = @('reply 220 old server', 'read', "reply $code unrecognized", 'read', 'reply 250 hello') + (Get-HappyScript)[3..99]
        $run = Invoke-Scripted $script
        $run.Commands[0] | Should -Match '^EHLO '
        $run.Commands[1] | Should -Match '^HELO '
        $run.Errors | Should -BeNullOrEmpty
        ($run.Output | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
    }

    It 'gives up with QUIT when EHLO gets 554' {
        $run = Invoke-Scripted @('reply 220 hi', 'read', 'reply 554 no', 'read', 'reply 221 bye')
        $run.Commands[1] | Should -Be 'QUIT'
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpEhloRejected,$cmdletId"
    }

    It 'closes without RSET on a 421 to MAIL and reports every later file as not sent' {
        $second = New-MessageFile -Text "Subject: 2`r`n`r`nsecond`r`n"
        $script = (Get-HappyScript)[0..3] + @('reply 421 4.3.2 shutting down', 'sleep 300')
        $run = Invoke-Scripted $script -Files @($file, $second) -Extra @{ PassThru = $true }
        $run.Commands | Should -Not -Contain 'RSET'
        $run.Commands | Should -Not -Contain 'QUIT'
        $run.Errors.FullyQualifiedErrorId | Should -Be @("SmtpServiceClosing,$cmdletId")
        $results = $run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
        $results.Status | Should -Be @('NotDelivered', 'NotDelivered')
        $results[1].Path | Should -Be $second
        $results[1].Reason | Should -Match 'the server ended the session \(421 '
    }
}

Describe 'Refusals of one transaction' {
    It 'reports <code> after the final dot as <id> with category <category>, and resets before the next file' -TestCases @(
        @{ code = '451 4.3.0 try again later'; id = 'SmtpMessageRejected'; category = 'ResourceUnavailable' }
        @{ code = '554 5.6.0 content refused'; id = 'SmtpMessageRejected'; category = 'InvalidOperation' }
        @{ code = '552 5.3.4 too big'; id = 'SmtpMessageRejected'; category = 'LimitsExceeded' }
    ) {
        param($code, $id, $category)
        $second = New-MessageFile -Text "Subject: 2`r`n`r`nsecond`r`n"
        $script = (Get-HappyScript -Final "reply $code" -Ehlo 'reply 250-x|250 ENHANCEDSTATUSCODES')[0..10] +
            @('read', 'reply 250 reset', 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'reply 354 go', 'data', 'reply 250 2.0.0 queued', 'read', 'reply 221 bye')
        $run = Invoke-Scripted $script -Files @($file, $second) -Extra @{ PassThru = $true }
        $run.Errors.Count | Should -Be 1
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
        $run.Errors[0].CategoryInfo.Category | Should -Be $category
        $run.Errors[0].TargetObject.Command | Should -Be '(end of data)'
        ($run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('NotDelivered', 'Delivered')
        $run.Commands | Should -Contain 'RSET'
    }

    It 'sends no DATA without PIPELINING when no recipient is accepted, and RSETs before the next file' {
        $second = New-MessageFile -Text "Subject: 2`r`n`r`nsecond`r`n"
        $script = (Get-HappyScript)[0..4] + @('read', 'reply 550 5.1.1 no such user') + @('read', 'reply 250 reset') + (Get-HappyScript)[3..99]
        $run = Invoke-Scripted $script -Files @($file, $second) -Extra @{ PassThru = $true }
        $run.Commands -replace '[: ].*' | Should -Be @('EHLO', 'MAIL', 'RCPT', 'RSET', 'MAIL', 'RCPT', 'DATA', 'QUIT')
        ($run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('NotDelivered', 'Delivered')
    }

    It 'reports a refused DATA as SmtpDataRejected and sends no content' {
        $script = (Get-HappyScript)[0..7] + @('reply 554 no data for you', 'read', 'reply 221 bye')
        $run = Invoke-Scripted $script
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpDataRejected,$cmdletId"
        $run.Server.ReceivedText | Should -BeLike "*`r`nDATA`r`nQUIT`r`n"
    }

    It 'reports a refused QUIT as SmtpQuitRejected after the message was delivered' {
        $script = (Get-HappyScript)[0..11] + @('reply 500 what?')
        $run = Invoke-Scripted $script -Extra @{ PassThru = $true }
        $run.Errors[0].FullyQualifiedErrorId | Should -Be "SmtpQuitRejected,$cmdletId"
        ($run.Output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Delivered'
    }
}
