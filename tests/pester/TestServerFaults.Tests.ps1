# Scripted faults of the SMTP capture server (Add-SmtpTestFault), each checked against what the client
# saw (swaks's exit code and transcript, Python's exceptions, Send-RawSmtpMail's replies, errors and
# results) and against what the server recorded.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:server = Start-SmtpTestServer
    $script:message = "From: ops@example.org`r`nSubject: fault test`r`n`r`nbody`r`n"

    function Invoke-Swaks([string[]] $Arguments) {
        swaks --server "127.0.0.1:$($server.Port)" --from ops@example.org --timeout 20 @Arguments 2>&1
    }

    function Send-Raw {
        [CmdletBinding()]
        param([string[]] $Path, [string[]] $To = @('team@example.org'))
        Send-RawSmtpMail -LiteralPath $Path -From ops@example.org -To $To -Server 127.0.0.1 -Port $server.Port -PassThru -TimeoutSec 20
    }

    function Get-Result { process { if ($_ -is [SmtpPs.SmtpMessageResult]) { $_ } } }
}

AfterAll {
    $server | Stop-SmtpTestServer
}

Describe 'Add-SmtpTestFault' {
    AfterEach {
        $server | Clear-SmtpTestFault
        $server | Clear-SmtpTestMessage
    }

    It 'refuses only the matching recipient with the chosen reply, as swaks sees it' {
        $server | Add-SmtpTestFault -Stage RcptTo -Recipient 'nobody@*' -Code 550 -Text '5.1.1 No such user'
        $output = Invoke-Swaks @('--to', 'team@example.org,nobody@example.org')
        $LASTEXITCODE | Should -Be 0 -Because 'one recipient was accepted'
        "$output" | Should -Match '<\*\* +550 5\.1\.1 No such user'
        (Get-SmtpTestMessage -Count 1).RcptTo | Should -Be 'team@example.org'
        $transaction = Get-SmtpTestTransaction
        $transaction.Outcome | Should -Be 'Accepted'
        $transaction.RefusedRecipients | Should -Be 'nobody@example.org'
        ($transaction.Recipients | Where-Object Address -eq 'nobody@example.org').Reply.Code | Should -Be 550
    }

    It 'refuses a recipient and Send-RawSmtpMail reports it with an error and the result' {
        $server | Add-SmtpTestFault -Stage RcptTo -Recipient 'nobody@example.org' -Code 550 -Text '5.1.1 No such user'
        $output = Send-Raw (New-MessageFile -Text $message) -To 'nobody@example.org' -ErrorVariable failure -ErrorAction SilentlyContinue
        ($output | Get-Result).Status | Should -Be 'NotDelivered'
        ($output | Where-Object { $_ -is [SmtpPs.SmtpReply] -and $_.Command -like 'RCPT*' }).Code | Should -Be 550
        $failure | Should -Not -BeNullOrEmpty
        Get-SmtpTestMessage | Should -BeNullOrEmpty
        (Get-SmtpTestTransaction).Outcome | Should -Be 'Refused'
        (Get-SmtpTestFault).Hits | Should -Be 1
    }

    It 'refuses MAIL of the second message only (-Occurrence 2)' {
        $server | Add-SmtpTestFault -Stage MailFrom -Occurrence 2 -Code 451 -Text '4.3.0 Try again later'
        $files = 1..3 | ForEach-Object { New-MessageFile -Text $message }
        $output = Send-Raw $files -ErrorAction SilentlyContinue
        ($output | Where-Object { $_ -is [SmtpPs.SmtpReply] -and $_.Path -eq $files[1] -and $_.Command -like 'MAIL*' }).Code | Should -Be 451
        ($output | Get-Result | Where-Object Status -eq 'Delivered').Path | Sort-Object | Should -Be ($files[0], $files[2] | Sort-Object)
        @(Get-SmtpTestMessage).Count | Should -Be 2
        $refused = Get-SmtpTestTransaction -Outcome Refused
        $refused.FinalReply.Stage | Should -Be 'MailFrom'
        $refused.FinalReply.Code | Should -Be 451
    }

    It 'refuses DATA with the chosen reply' {
        $server | Add-SmtpTestFault -Stage Data -Code 554 -Text '5.7.1 Content not wanted'
        $output = Invoke-Swaks @('--to', 'team@example.org')
        $LASTEXITCODE | Should -Not -Be 0
        "$output" | Should -Match '<\*\* +554 5\.7\.1 Content not wanted'
        (Get-SmtpTestTransaction).FinalReply.Stage | Should -Be 'Data'
        Get-SmtpTestMessage | Should -BeNullOrEmpty
    }

    It 'refuses the final dot, keeps the content on the transaction, and captures nothing' {
        $server | Add-SmtpTestFault -Stage EndOfData -Code 554 -Text '5.6.0 Rejected at the end'
        $result = Send-Raw (New-MessageFile -Text $message) -ErrorAction SilentlyContinue | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.FinalReply.Code | Should -Be 554
        Get-SmtpTestMessage | Should -BeNullOrEmpty
        $transaction = Get-SmtpTestTransaction
        $transaction.Outcome | Should -Be 'Refused'
        Get-Latin1Text $transaction.Message.Raw | Should -BeExactly $message
    }

    It 'greylists: 450 the first time a pair is seen, accepted when it comes again' {
        $server | Add-SmtpTestFault -Greylist
        $code = @'
import smtplib, sys
for attempt in (1, 2):
    try:
        with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
            s.sendmail("ops@example.org", ["team@example.org"], b"Subject: grey\r\n\r\nbody\r\n")
        print(attempt, "sent")
    except smtplib.SMTPRecipientsRefused as e:
        print(attempt, "refused", e.recipients["team@example.org"][0])
'@
        $output = & /usr/bin/python3 -c $code $server.Port 2>&1
        $output | Should -Be @('1 refused 450', '2 sent')
        @(Get-SmtpTestMessage).Count | Should -Be 1
        (Get-SmtpTestTransaction).Outcome | Should -Be @('Refused', 'Accepted')
    }

    It 'replies 421 and closes the connection at MAIL' {
        $server | Add-SmtpTestFault -Stage MailFrom -Disconnect
        $output = Invoke-Swaks @('--to', 'team@example.org')
        $LASTEXITCODE | Should -Not -Be 0
        "$output" | Should -Match '<\*\* +421 4\.3\.2 '
        $transaction = Get-SmtpTestTransaction
        $transaction.Outcome | Should -Be 'Disconnected'
        $transaction.FinalReply.Code | Should -Be 421
        $server.Connections[-1].Closed | Should -Not -BeNullOrEmpty
    }

    It 'replies 421 instead of the greeting' {
        $server | Add-SmtpTestFault -Stage Greeting -Disconnect -Text '4.3.2 Going down for maintenance'
        $output = Invoke-Swaks @('--to', 'team@example.org')
        $LASTEXITCODE | Should -Not -Be 0
        "$output" | Should -Match '421 4\.3\.2 Going down for maintenance'
        Get-SmtpTestTransaction | Should -BeNullOrEmpty
    }

    It 'closes after the final dot without replying, and Send-RawSmtpMail cannot know: Unknown' {
        $server | Add-SmtpTestFault -Stage EndOfData -Drop
        $result = Send-Raw (New-MessageFile -Text $message) -ErrorAction SilentlyContinue | Get-Result
        $result.Status | Should -Be 'Unknown'
        Get-SmtpTestMessage | Should -BeNullOrEmpty
        $transaction = Get-SmtpTestTransaction
        $transaction.Outcome | Should -Be 'Disconnected'
        $transaction.FinalReply.Stage | Should -Be 'EndOfData'
        $transaction.FinalReply.Code | Should -Be 0
        Get-Latin1Text $transaction.Message.Raw | Should -BeExactly $message
    }

    It 'waits before the chosen reply: a client with a shorter timeout gives up' {
        $server | Add-SmtpTestFault -Stage MailFrom -DelaySec 3
        $code = @'
import smtplib, socket, sys
try:
    with smtplib.SMTP("127.0.0.1", int(sys.argv[1]), timeout=1) as s:
        s.ehlo()
        print("ehlo", s.ehlo_resp is not None)
        s.mail("ops@example.org")
    print("no timeout")
except Exception as e:  # smtplib turns the socket's timeout into its own errors, by version
    print("timeout" if "timed out" in str(e) else repr(e))
'@
        $output = & /usr/bin/python3 -c $code $server.Port 2>&1
        $output | Should -Be @('ehlo True', 'timeout')
        (Get-SmtpTestFault).Hits | Should -Be 1
    }

    It 'delays the reply and then gives the normal one' {
        $server | Add-SmtpTestFault -Stage RcptTo -DelaySec 0.2
        $result = Send-Raw (New-MessageFile -Text $message) | Get-Result
        $result.Status | Should -Be 'Delivered'
        @($server.Connections[-1].Transcript.Text -match '^scripted fault #\d+ at RcptTo: .*delay').Count | Should -Be 1
    }

    It 'gives a multi-line reply' {
        $server | Add-SmtpTestFault -Stage RcptTo -Code 550 -Text '5.7.1 Policy', '5.7.1 See https://example.org/policy'
        $output = Invoke-Swaks @('--to', 'team@example.org')
        "$output" | Should -Match '<\*\* +550-5\.7\.1 Policy'
        "$output" | Should -Match '<\*\* +550 5\.7\.1 See https://example\.org/policy'
    }

    It 'refuses content over the size limit after the final dot, and MAIL with a larger SIZE=' {
        $small = Start-SmtpTestServer -SizeLimit 100
        try {
            $big = New-MessageFile -Text ("Subject: big`r`n`r`n" + ('x' * 200) + "`r`n")
            # swaks declares no SIZE, so the content itself is measured.
            $output = swaks --server "127.0.0.1:$($small.Port)" --from ops@example.org --to team@example.org --data $big 2>&1
            $LASTEXITCODE | Should -Not -Be 0
            "$output" | Should -Match '<\*\* +552 5\.3\.4 '
            $code = 'import smtplib, sys' + "`n" + 's = smtplib.SMTP("127.0.0.1", int(sys.argv[1]))' + "`n" + 's.ehlo()' + "`n" +
                'print(s.mail("ops@example.org", ["SIZE=500"])[0])'
            & /usr/bin/python3 -c $code $small.Port | Should -Be 552
            $transactions = Get-SmtpTestTransaction -Server $small
            $transactions.Outcome | Should -Be @('Refused', 'Refused')
            Get-SmtpTestMessage -Server $small | Should -BeNullOrEmpty
        }
        finally { $small | Stop-SmtpTestServer }
    }

    It 'is refused when <name>' -TestCases @(
        @{ name = 'greylisting is set at another stage'; arguments = @{ Greylist = $true; Stage = 'MailFrom' } }
        @{ name = 'a recipient pattern is set at another stage'; arguments = @{ Stage = 'MailFrom'; Recipient = 'x*'; Code = 550 } }
        @{ name = 'the reply text has a line break'; arguments = @{ Stage = 'RcptTo'; Code = 550; Text = "5.0.0 one`r`nMAIL FROM:<x>" } }
        @{ name = 'the stage is Connect'; arguments = @{ Stage = 'Connect'; Code = 554 } }
    ) {
        param($arguments)
        { $server | Add-SmtpTestFault @arguments -ErrorAction Stop } | Should -Throw -ErrorId 'InvalidSmtpTestFault,SmtpPs.Commands.Testing.AddSmtpTestFaultCommand'
        Get-SmtpTestFault | Should -BeNullOrEmpty
    }

    It 'removes one fault and keeps the others' {
        $first = $server | Add-SmtpTestFault -Stage RcptTo -Code 550 -PassThru
        $second = $server | Add-SmtpTestFault -Stage MailFrom -Code 451 -PassThru
        $first | Clear-SmtpTestFault
        (Get-SmtpTestFault).Id | Should -Be $second.Id
        $server | Add-SmtpTestFault -Stage Data -Code 554 -WhatIf
        @(Get-SmtpTestFault).Count | Should -Be 1
    }
}
