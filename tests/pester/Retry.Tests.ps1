# Retries of transient failures (-MaximumRetryCount, -RetryIntervalSec, -RetryUntil, -RetryUnknown) and
# all-or-nothing recipients (-RequireAllRecipients), against the capture server with scripted faults and
# against Postfix refusing for real. Every test counts what the server took: a retry must never deliver
# a message twice, and must send again only what was not delivered.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    $script:postfixSkip = Get-PostfixSkipReason

    function New-Alert([string] $Id = [guid]::NewGuid().ToString('n'), [switch] $NoMessageId, [string] $From = 'ops@example.org') {
        $headers = "From: $From`r`nDate: Wed, 02 Dec 2026 06:00:00 +0000`r`nSubject: alert $Id`r`n"
        if (-not $NoMessageId) { $headers += "Message-ID: <$Id@example.org>`r`n" }
        New-MessageFile -Text "$headers`r`ndisk full on db1 ($Id)`r`n"
    }

    function Send-ToCapture {
        # Send-RawSmtpMail to the test's capture server, -PassThru; the rest as the test gives it.
        param([Parameter(Mandatory)] $Server, [Parameter(Mandatory)] [string[]] $Path, [string[]] $To = @('admin@example.org'), [hashtable] $With = @{})
        Send-RawSmtpMail -LiteralPath $Path -From ops@example.org -To $To -Server 127.0.0.1 -Port $Server.Port -PassThru -TimeoutSec 20 @With
    }

    filter Get-Result { if ($_ -is [SmtpPs.SmtpMessageResult]) { $_ } }
    filter Get-Reply { if ($_ -is [SmtpPs.SmtpReply]) { $_ } }
}

Describe 'Retries of transient failures, against the capture server' {
    BeforeEach {
        $script:server = Start-SmtpTestServer
    }
    AfterEach {
        $server | Stop-SmtpTestServer
    }

    It 'delivers a greylisted message exactly once with -MaximumRetryCount 2: 450 at the first try, accepted at the second' {
        $server | Add-SmtpTestFault -Greylist
        $file = New-Alert
        $output = Send-ToCapture $server $file -With @{ MaximumRetryCount = 2; RetryIntervalSec = 1 } -WarningVariable warnings -ErrorVariable failures
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Attempts | Should -Be 2
        $result.AttemptLog.Status | Should -Be @('NotDelivered', 'Delivered')
        $result.AttemptLog[0].FinalReply.Code | Should -Be 450
        $result.Recipients[0].Attempts | Should -Be 2
        $result.Recipients[0].Status | Should -Be 'Delivered'
        # Every attempt's replies are written: the 450 of the first, the 250 of the second.
        ($output | Get-Reply | Where-Object Stage -EQ 'RcptTo').Code | Should -Be @(450, 250)
        ($output | Get-Reply | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        $failures | Should -BeNullOrEmpty -Because 'a failure that a retry overcame is not an error'
        "$warnings" | Should -BeLike '*trying again in 1 s*'
        @(Get-SmtpTestMessage -Server $server).Count | Should -Be 1
        (Get-SmtpTestTransaction -Server $server).Outcome | Should -Be @('Refused', 'Accepted')
        (Get-SmtpTestFault -Server $server).Hits | Should -Be 1
    }

    It 'without retries, leaves a greylisted message NotDelivered with a ResourceUnavailable error' {
        $server | Add-SmtpTestFault -Greylist
        $output = Send-ToCapture $server (New-Alert) -ErrorVariable failures -ErrorAction SilentlyContinue
        ($output | Get-Result).Status | Should -Be 'NotDelivered'
        ($output | Get-Result).Attempts | Should -Be 1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpRecipientRejected*'
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 1
    }

    It 'retries a 4xx reply to <stage> and delivers once' -TestCases @(
        @{ stage = 'MailFrom'; code = 451 }
        @{ stage = 'Data'; code = 451 }
        @{ stage = 'EndOfData'; code = 451 }
        @{ stage = 'EndOfData'; code = 452 }
    ) {
        param($stage, $code)
        if ($stage -eq 'Data') {
            # DATA is sent only when the server does not offer CHUNKING (BDAT has no DATA command).
            $server | Stop-SmtpTestServer
            $script:server = Start-SmtpTestServer -DisableExtension Chunking
        }
        $server | Add-SmtpTestFault -Stage $stage -Code $code -Occurrence 1
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1 } -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Attempts | Should -Be 2
        $result.AttemptLog[0].FinalReply.Code | Should -Be $code
        @(Get-SmtpTestMessage -Server $server).Count | Should -Be 1
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 2
    }

    It 'retries a 421 that closes the session at the end of the message, on a new connection' {
        $server | Add-SmtpTestFault -Stage EndOfData -Disconnect -Occurrence 1
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1 } -WarningAction SilentlyContinue
        ($output | Get-Result).Status | Should -Be 'Delivered'
        ($output | Get-Result).Attempts | Should -Be 2
        @(Get-SmtpTestMessage -Server $server).Count | Should -Be 1
        $connections = @(Get-SmtpTestTransaction -Server $server).ConnectionId | Sort-Object -Unique
        $connections.Count | Should -Be 2
    }

    It 'never retries a 5xx reply to <stage>, however many retries are allowed' -TestCases @(
        @{ stage = 'MailFrom'; code = 553 }
        @{ stage = 'RcptTo'; code = 550 }
        @{ stage = 'EndOfData'; code = 554 }
    ) {
        param($stage, $code)
        $server | Add-SmtpTestFault -Stage $stage -Code $code
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 3; RetryIntervalSec = 60 } -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Attempts | Should -Be 1
        $result.FinalReply.Code | Should -Be $code
        $warnings | Should -BeNullOrEmpty -Because 'no retry is announced'
        $failures.Count | Should -Be 1
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 1
        Get-SmtpTestMessage -Server $server | Should -BeNullOrEmpty
    }

    It 'retries only the recipients that failed for now: the accepted one is not sent again' {
        $server | Add-SmtpTestFault -Greylist -Recipient 'oncall@*'
        $output = Send-ToCapture $server (New-Alert) -To admin@example.org, oncall@example.org -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1 } -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        ($result.Recipients | Where-Object Address -EQ 'admin@example.org').Attempts | Should -Be 1
        ($result.Recipients | Where-Object Address -EQ 'oncall@example.org').Attempts | Should -Be 2
        $result.Recipients.Status | Should -Be @('Delivered', 'Delivered')
        $messages = @(Get-SmtpTestMessage -Server $server)
        $messages.Count | Should -Be 2
        $messages[0].RcptTo | Should -Be @('admin@example.org')
        $messages[1].RcptTo | Should -Be @('oncall@example.org')
    }

    It 'tries again after the other messages, each round after twice the wait of the one before' {
        # The second message (its sender is slow@) is refused for now at its first two tries; the others go at once.
        $server | Add-SmtpTestFault -Stage MailFrom -Sender 'slow@*' -Code 451 -Occurrence 1, 2
        $first = New-Alert; $slow = New-Alert -From slow@example.org; $last = New-Alert
        # No -From: each message's sender is its From header.
        $output = Send-RawSmtpMail -LiteralPath $first, $slow, $last -To admin@example.org -Server 127.0.0.1 -Port $server.Port `
            -PassThru -MaximumRetryCount 2 -RetryIntervalSec 1 -WarningVariable warnings
        $results = @($output | Get-Result)
        # Results come as messages are settled: the retried one last.
        $results.Path | Should -Be @($first, $last, $slow)
        $results.Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
        $results.Attempts | Should -Be @(1, 1, 3)
        $retried = $results[2]
        $retried.AttemptLog.Attempt | Should -Be @(1, 2, 3)
        ($retried.AttemptLog[1].Started - $retried.AttemptLog[0].Started).TotalSeconds | Should -BeGreaterOrEqual 1
        ($retried.AttemptLog[2].Started - $retried.AttemptLog[1].Started).TotalSeconds | Should -BeGreaterOrEqual 2
        ($warnings | Where-Object { "$_" -like '*trying again in*' }).Message | Should -Be @(
            '1 message(s) not delivered yet because of a transient failure; trying again in 1 s (retry 1 of 2).'
            '1 message(s) not delivered yet because of a transient failure; trying again in 2 s (retry 2 of 2).')
        (Get-SmtpTestMessage -Server $server).MailFrom | Should -Be @('ops@example.org', 'ops@example.org', 'slow@example.org')
    }

    It 'reports NotDelivered with the last reply when the retries run out' {
        $server | Add-SmtpTestFault -Stage RcptTo -Code 451 -Text '4.3.0 Queue full'
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 2; RetryIntervalSec = 1 } -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Attempts | Should -Be 3
        $result.FinalReply.Text | Should -Be '4.3.0 Queue full'
        $failures.Count | Should -Be 1 -Because 'the outcome is reported once, when it is final'
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 3
    }

    It 'starts no retry round after -RetryUntil' {
        $server | Add-SmtpTestFault -Stage RcptTo -Code 451
        # Retry 1 starts 3 s after the first try, inside the deadline; retry 2 would start 6 s later, past it.
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 5; RetryIntervalSec = 3; RetryUntil = (Get-Date).AddSeconds(8) } `
            -ErrorAction SilentlyContinue -WarningVariable warnings
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Attempts | Should -Be 2
        "$warnings" | Should -BeLike '*are not tried again: retry 2 would start at*after the retry deadline*'
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 2
    }

    It 'retries a relay that refused the connection, once it is up' {
        # Nothing listens on the port at the first try; the server comes up before the retry.
        $port = Get-FreeTcpPort
        $late = [SmtpPs.TestServer.LateServer]::StartCaptureServerAfter(1000, '127.0.0.1', $port)
        try {
            $output = Send-RawSmtpMail -LiteralPath (New-Alert) -From ops@example.org -To admin@example.org -Server 127.0.0.1 -Port $port `
                -PassThru -MaximumRetryCount 2 -RetryIntervalSec 2 -WarningAction SilentlyContinue -ErrorVariable failures
            $result = $output | Get-Result
            $result.Status | Should -Be 'Delivered'
            $result.Attempts | Should -Be 2
            $result.AttemptLog[0].Reason | Should -BeLike '*Could not connect*refused*'
            $failures | Should -BeNullOrEmpty
            @(Get-SmtpTestMessage -Server $late.Result).Count | Should -Be 1
        }
        finally {
            $late.Result | Stop-SmtpTestServer
        }
    }
}

Describe 'An Unknown outcome (the connection lost after the end of the message)' {
    BeforeEach {
        $script:server = Start-SmtpTestServer
        # The server reads the whole message, then closes without a reply: it may have been delivered.
        $server | Add-SmtpTestFault -Stage EndOfData -Drop -Occurrence 1
    }
    AfterEach {
        $server | Stop-SmtpTestServer
    }

    It 'is not sent again by default, whatever -MaximumRetryCount says' {
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 2; RetryIntervalSec = 1 } -ErrorVariable failures -ErrorAction SilentlyContinue -WarningVariable warnings
        $result = $output | Get-Result
        $result.Status | Should -Be 'Unknown'
        $result.Attempts | Should -Be 1
        $result.Reason | Should -BeLike '*may have been delivered*'
        $failures.Count | Should -Be 1
        $warnings | Should -BeNullOrEmpty
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 1
    }

    It 'is sent again with -RetryUnknown when it has a Message-ID, with a warning' {
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1; RetryUnknown = $true } -ErrorVariable failures -WarningVariable warnings
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Attempts | Should -Be 2
        $result.AttemptLog.Status | Should -Be @('Unknown', 'Delivered')
        "$warnings" | Should -BeLike '*may have been delivered*sent again*Message-ID*'
        $failures | Should -BeNullOrEmpty
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 2
        @(Get-SmtpTestMessage -Server $server).Count | Should -Be 1
    }

    It 'is not sent again with -RetryUnknown when it has no Message-ID, and says why' {
        $output = Send-ToCapture $server (New-Alert -NoMessageId) -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1; RetryUnknown = $true } -ErrorAction SilentlyContinue -WarningVariable warnings
        ($output | Get-Result).Status | Should -Be 'Unknown'
        ($output | Get-Result).Attempts | Should -Be 1
        "$warnings" | Should -BeLike '*has no Message-ID*not sent again*'
        @(Get-SmtpTestTransaction -Server $server).Count | Should -Be 1
    }

    It 'stays Unknown when its retry fails: the first try may have got through' {
        $server | Add-SmtpTestFault -Stage MailFrom -Code 451 -Occurrence 2
        $output = Send-ToCapture $server (New-Alert) -With @{ MaximumRetryCount = 1; RetryIntervalSec = 1; RetryUnknown = $true } -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Attempts | Should -Be 2
        $result.Status | Should -Be 'Unknown'
        $result.Recipients[0].Status | Should -Be 'Unknown'
    }
}

Describe 'Retry parameters that cannot work are refused before anything is sent' {
    It 'refuses <parameters> with <errorId>' -TestCases @(
        @{ parameters = '-RetryUnknown without -MaximumRetryCount'; with = @{ RetryUnknown = $true }; errorId = 'RetryUnknownWithoutRetries' }
        @{ parameters = '-RetryUntil without -MaximumRetryCount'; with = @{ RetryUntil = (Get-Date).AddHours(1) }; errorId = 'RetryUntilWithoutRetries' }
        @{ parameters = '-RetryUntil in the past'; with = @{ MaximumRetryCount = 1; RetryUntil = (Get-Date).AddHours(-1) }; errorId = 'RetryUntilPassed' }
    ) {
        param($with, $errorId)
        $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
        $listener.Start()
        try {
            { Send-RawSmtpMail -LiteralPath (New-Alert) -From ops@example.org -To admin@example.org -Server 127.0.0.1 -Port $listener.LocalEndpoint.Port @with } |
                Should -Throw -ErrorId "$errorId,*"
            $listener.Pending() | Should -BeFalse -Because 'no connection is made'
        }
        finally { $listener.Stop() }
    }
}

Describe '-RequireAllRecipients against the capture server' {
    BeforeEach {
        $script:server = Start-SmtpTestServer
        $server | Add-SmtpTestFault -Stage RcptTo -Recipient 'nobody@*' -Code 550 -Text '5.1.1 No such user'
    }
    AfterEach {
        $server | Stop-SmtpTestServer
    }

    It 'sends RSET and no DATA when one recipient is refused: NotDelivered, nobody gets it' {
        $output = Send-ToCapture $server (New-Alert) -To admin@example.org, nobody@example.org -With @{ RequireAllRecipients = $true } -ErrorVariable failures -ErrorAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Recipients.Status | Should -Be @('NotDelivered', 'NotDelivered')
        $result.AcceptedRecipients | Should -Be @('admin@example.org') -Because 'the server accepted it; the message was held back'
        $result.RejectedRecipients | Should -Be @('nobody@example.org')
        ($output | Get-Reply).Stage | Should -Not -Contain 'Data'
        ($output | Get-Reply | Where-Object Stage -EQ 'Reset').Code | Should -Be 250
        $failures.FullyQualifiedErrorId | Should -BeLike 'SmtpRecipientRejected*'
        Get-SmtpTestMessage -Server $server | Should -BeNullOrEmpty
        (Get-SmtpTestTransaction -Server $server).Outcome | Should -Be 'Aborted'
    }

    It 'delivers when every recipient is accepted' {
        $output = Send-ToCapture $server (New-Alert) -To admin@example.org, oncall@example.org -With @{ RequireAllRecipients = $true }
        ($output | Get-Result).Status | Should -Be 'Delivered'
        (Get-SmtpTestMessage -Server $server).RcptTo | Should -Be @('admin@example.org', 'oncall@example.org')
    }

    It 'retries the whole message when a recipient is refused for now, and delivers it to all at once' {
        $server | Add-SmtpTestFault -Greylist -Recipient 'oncall@*'
        $output = Send-ToCapture $server (New-Alert) -To admin@example.org, oncall@example.org -With @{ RequireAllRecipients = $true; MaximumRetryCount = 1; RetryIntervalSec = 1 } -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Attempts | Should -Be 2
        $messages = @(Get-SmtpTestMessage -Server $server)
        $messages.Count | Should -Be 1
        $messages[0].RcptTo | Should -Be @('admin@example.org', 'oncall@example.org')
    }

    It 'goes on with the next message of the batch after the RSET' {
        $first = New-Alert; $second = New-Alert
        $output = Send-RawSmtpMail -LiteralPath $first -From ops@example.org -To admin@example.org, nobody@example.org -Server 127.0.0.1 -Port $server.Port -PassThru -RequireAllRecipients -ErrorAction SilentlyContinue
        $output | Get-Result | Select-Object -ExpandProperty Status | Should -Be 'NotDelivered'
        $output = Send-RawSmtpMail -LiteralPath $first, $second -From ops@example.org -To admin@example.org -Server 127.0.0.1 -Port $server.Port -PassThru -RequireAllRecipients
        ($output | Get-Result).Status | Should -Be @('Delivered', 'Delivered')
    }
}

Describe '452 (too many recipients) continues in another transaction on the same connection' {
    It 'sends the recipients refused with 452 in a further transaction: all delivered, one connection' {
        $server = Start-SmtpTestServer
        try {
            # A server that takes two recipients per transaction: the third and later get 452 until the next one.
            $server | Add-SmtpTestFault -Stage RcptTo -Code 452 -Text '4.5.3 Too many recipients' -Occurrence 3, 4, 5, 8
            $to = 1..5 | ForEach-Object { "user$_@example.org" }
            $output = Send-ToCapture $server (New-Alert) -To $to -ErrorVariable failures
            $result = $output | Get-Result
            $result.Status | Should -Be 'Delivered'
            $result.Recipients.Status | Should -Be (@('Delivered') * 5)
            $result.Attempts | Should -Be 1
            $result.AttemptLog.Recipients.Count | Should -Be (5 + 3 + 1)
            $failures | Should -BeNullOrEmpty
            $transactions = @(Get-SmtpTestTransaction -Server $server)
            $transactions.Count | Should -Be 3
            ($transactions.ConnectionId | Sort-Object -Unique).Count | Should -Be 1
            (Get-SmtpTestMessage -Server $server).RcptTo | Should -Be $to
        }
        finally { $server | Stop-SmtpTestServer }
    }
}

Describe 'Against Postfix: real refusals' {
    BeforeAll {
        if (-not $postfixSkip) {
            $script:recorder = Start-RecordingServer
            # nobody@ is refused for good, later@ for now (DEFER_IF_PERMIT is Postfix's 450); at most two recipients per transaction.
            $script:postfixPort = Get-FreeTcpPort
            $script:postfix = Start-PrivatePostfix -Port $postfixPort -RelayPort $recorder.Port -ExtraConfig @(
                'smtpd_recipient_limit = 2'
                'smtpd_recipient_restrictions = check_recipient_access inline:{ nobody@example.org=REJECT, later@example.org=DEFER_IF_PERMIT }, permit_mynetworks, reject'
            )
        }

        function Get-Relayed([string] $Id, [int] $Count) {
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            do {
                $found = @(@($recorder.Messages) | Where-Object { $_.Text -match $Id })
                if ($found.Count -ge $Count) { break }
                Start-Sleep -Milliseconds 100
            } while ([DateTime]::UtcNow -lt $deadline)
            # Postfix delivers each queued message once; a short wait shows any copy beyond the expected ones.
            Start-Sleep -Milliseconds 500
            @(@($recorder.Messages) | Where-Object { $_.Text -match $Id })
        }
    }
    AfterAll {
        if (-not $postfixSkip) {
            Stop-PrivatePostfix $postfix
            $recorder.Dispose()
        }
    }
    BeforeEach {
        if ($postfixSkip) { Set-ItResult -Skipped -Because $postfixSkip }
    }

    It 'with -RequireAllRecipients, relays nothing when Postfix refuses one recipient' {
        $id = [guid]::NewGuid().ToString('n')
        $output = Send-RawSmtpMail -LiteralPath (New-Alert $id) -From ops@example.org -To admin@example.org, nobody@example.org -Server 127.0.0.1 -Port $postfixPort -PassThru -RequireAllRecipients -ErrorAction SilentlyContinue
        ($output | Get-Result).Status | Should -Be 'NotDelivered'
        ($output | Get-Reply | Where-Object Stage -EQ 'RcptTo').Code | Should -Be @(250, 554)
        # A control message sent afterwards arrives; the held one never does.
        $control = [guid]::NewGuid().ToString('n')
        $null = Send-RawSmtpMail -LiteralPath (New-Alert $control) -From ops@example.org -To admin@example.org -Server 127.0.0.1 -Port $postfixPort
        (Get-Relayed $control 1).Count | Should -Be 1
        @(@($recorder.Messages) | Where-Object { $_.Text -match $id }).Count | Should -Be 0
    }

    It 'without it, relays to the accepted recipient only and says SmtpPartiallyDelivered' {
        $id = [guid]::NewGuid().ToString('n')
        $output = Send-RawSmtpMail -LiteralPath (New-Alert $id) -From ops@example.org -To admin@example.org, nobody@example.org -Server 127.0.0.1 -Port $postfixPort -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue
        ($output | Get-Result).Status | Should -Be 'Delivered'
        $failures.FullyQualifiedErrorId | Should -BeLike 'SmtpPartiallyDelivered*'
        $relayed = Get-Relayed $id 1
        $relayed.Count | Should -Be 1
        $relayed[0].To | Should -Be @('admin@example.org')
    }

    It 'retries a recipient Postfix defers, and gives up after the retries with NotDelivered for it alone' {
        $id = [guid]::NewGuid().ToString('n')
        $output = Send-RawSmtpMail -LiteralPath (New-Alert $id) -From ops@example.org -To admin@example.org, later@example.org -Server 127.0.0.1 -Port $postfixPort `
            -PassThru -MaximumRetryCount 1 -RetryIntervalSec 1 -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        ($result.Recipients | Where-Object Address -EQ 'admin@example.org').Attempts | Should -Be 1
        $later = $result.Recipients | Where-Object Address -EQ 'later@example.org'
        $later.Status | Should -Be 'NotDelivered'
        $later.Attempts | Should -Be 2
        $later.Reply.Code | Should -Be 450
        ($output | Get-Reply | Where-Object Stage -EQ 'RcptTo').Code | Should -Be @(250, 450, 450)
        $failures.FullyQualifiedErrorId | Should -BeLike 'SmtpPartiallyDelivered*'
        $relayed = Get-Relayed $id 1
        $relayed.Count | Should -Be 1 -Because 'the accepted recipient got it once, and the retry was only for the deferred one'
        $relayed[0].To | Should -Be @('admin@example.org')
    }

    It 'sends five recipients to Postfix, which takes two per transaction, in three transactions: each relayed once' {
        $id = [guid]::NewGuid().ToString('n')
        $to = 1..5 | ForEach-Object { "user$_@example.org" }
        $output = Send-RawSmtpMail -LiteralPath (New-Alert $id) -From ops@example.org -To $to -Server 127.0.0.1 -Port $postfixPort -PassThru -ErrorVariable failures
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Recipients.Status | Should -Be (@('Delivered') * 5)
        ($output | Get-Reply | Where-Object Stage -EQ 'RcptTo').Code | Should -Be @(250, 250, 452, 452, 452, 250, 250, 452, 250)
        ($output | Get-Reply | Where-Object Stage -EQ 'EndOfData').Count | Should -Be 3
        ($output | Get-Reply | Where-Object Stage -EQ 'Greeting').Count | Should -Be 1 -Because 'one connection'
        $failures | Should -BeNullOrEmpty
        $relayed = Get-Relayed $id 3
        @($relayed.To | Sort-Object) | Should -Be @($to | Sort-Object)
    }
}
