# What a scheduled script can trust: every input gets exactly one outcome, the error contract tells
# "nothing was sent" from "sent to some", content reaches a server only inside an accepted transaction,
# nothing hangs on odd files or a stopped pipeline, and errors say what to do.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:headers = "From: a@example.org`r`nDate: Mon, 30 Nov 2026 08:00:00 +0000`r`nMessage-ID: <{0}@example.org>`r`n"
    function New-Message([string] $Name, [string] $Body = 'body') {
        New-MessageFile -Name $Name -Text (($headers -f [guid]::NewGuid().ToString('n')) + "Subject: $Name`r`n`r`n$Body`r`n")
    }
    $script:common = @{ From = 'a@example.org'; To = 'b@example.org'; Server = '127.0.0.1'; TimeoutSec = 5 }

    function Invoke-InRunspace([scriptblock] $Script, [object[]] $Arguments, [int] $TimeoutSec = 20) {
        <# Runs a script in a runspace of its own, bounded: a hang fails the test instead of the suite. #>
        $ps = [powershell]::Create()
        try {
            $null = $ps.AddScript('param($module) Import-Module $module').AddArgument($env:SMTPPS_MODULE).AddStatement().AddScript($Script)
            foreach ($argument in $Arguments) { $null = $ps.AddArgument($argument) }
            $handle = $ps.BeginInvoke()
            $finished = $handle.AsyncWaitHandle.WaitOne([TimeSpan]::FromSeconds($TimeoutSec))
            if (-not $finished) { $ps.Stop(); return [pscustomobject]@{ Finished = $false; Output = @(); Errors = @() } }
            [pscustomobject]@{ Finished = $true; Output = @($ps.EndInvoke($handle)); Errors = @($ps.Streams.Error) }
        }
        finally { $ps.Dispose() }
    }
}

Describe 'A batch never loses a result' {
    It 'sends every good file of a piped batch once, and gives a bad file and a missing path their own error and result' {
        $server = Start-RecordingServer
        try {
            $outbox = Join-Path $TestDrive ('outbox-' + [guid]::NewGuid().ToString('n'))
            $null = New-Item -ItemType Directory -Path $outbox
            foreach ($n in 1..5) { $null = New-Message "msg00$n.eml" | Move-Item -Destination $outbox -PassThru }
            [System.IO.File]::WriteAllBytes((Join-Path $outbox 'msg003.eml'), [byte[]](0xFF, 0xFE, 0x53, 0x00))
            $items = @(Get-ChildItem $outbox | Sort-Object Name) + @(Join-Path $outbox 'msg006.eml')
            $results = $items | Send-RawSmtpMail @common -Port $server.Port -ResultOnly -ErrorVariable errors -ErrorAction SilentlyContinue
            $results.Count | Should -Be 6
            Split-Path -Leaf $results.Path | Should -Be @('msg001.eml', 'msg002.eml', 'msg003.eml', 'msg004.eml', 'msg005.eml', 'msg006.eml')
            $results.Status | Should -Be @('Delivered', 'Delivered', 'NotDelivered', 'Delivered', 'Delivered', 'NotDelivered')
            $errors.FullyQualifiedErrorId | Should -Be @("MessageFileIsUtf16,$cmdletId", "MessageFileNotFound,$cmdletId")
            $server.WaitForMessages(4) | Should -BeTrue
            @($server.Messages).Count | Should -Be 4
            @($server.Connections).Count | Should -Be 1
        }
        finally { $server.Dispose() }
    }

    It 'lets examples/Send-Outbox.ps1 move every delivered file although one file is UTF-16' {
        $server = Start-RecordingServer
        try {
            $outbox = Join-Path $TestDrive ('outbox-' + [guid]::NewGuid().ToString('n'))
            $null = New-Item -ItemType Directory -Path $outbox
            foreach ($n in 1..3) {
                $path = Join-Path $outbox "m$n.eml"
                [System.IO.File]::WriteAllText($path, ($headers -f "m$n") + "To: b@example.org`r`nSubject: $n`r`n`r`nbody`r`n")
            }
            [System.IO.File]::WriteAllBytes((Join-Path $outbox 'm2.eml'), [byte[]](0xFF, 0xFE, 0x53, 0x00))
            $output = Invoke-FreshPwsh (Join-Path $PSScriptRoot '../../examples/Send-Outbox.ps1') @('-Folder', $outbox, '-Server', '127.0.0.1', '-Port', $server.Port)
            $LASTEXITCODE | Should -Be 1
            (Get-ChildItem (Join-Path $outbox 'sent')).Name | Sort-Object | Should -Be @('m1.eml', 'm3.eml')
            (Get-ChildItem $outbox -File).Name | Should -Be @('m2.eml')
            "$output" | Should -Match 'UTF-16'
        }
        finally { $server.Dispose() }
    }

    It 'writes the result of a delivered message before the error of a later one stops the command (PIPELINING, SIZE)' {
        $small = New-Message 'small.eml'
        $big = New-Message 'big.eml' (('x' * 900 + "`r`n") * 2)
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250-PIPELINING|250 SIZE 1000', 'read', 'read', 'read', 'reply 250 ok|250 ok|354 go',
            'data', 'reply 250 2.0.0 queued as Q1', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $collected = [System.Collections.Generic.List[object]]::new()
            $caught = $null
            try { Send-RawSmtpMail -Path $small, $big @common -Port $server.Port -ResultOnly -ErrorAction Stop | ForEach-Object { $collected.Add($_) } }
            catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be "SmtpMessageTooLarge,$cmdletId"
            # Every message got its result before the error stopped the command: the delivered one too.
            $collected.Count | Should -Be 2
            $collected[0].Path | Should -Be $small
            $collected[0].Status | Should -Be 'Delivered'
            $collected[0].QueueId | Should -Be 'Q1'
            $collected[1].Path | Should -Be $big
            $collected[1].Status | Should -Be 'NotDelivered'
            $null = $server.WaitForClose()
            $server.Commands[-1] | Should -Be 'QUIT'
        }
        finally { $server.Dispose() }
    }

    It 'gives each file one verdict when MAIL is refused: no second, "Unknown" error' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250-PIPELINING|250 CHUNKING', 'read', 'read',
            'reply 530 5.7.0 Must issue a STARTTLS command first|530 5.7.0 Must issue a STARTTLS command first', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $results = Send-RawSmtpMail -Path (New-Message 'one.eml') @common -Port $server.Port -TlsMode None -ResultOnly -ErrorVariable errors -ErrorAction SilentlyContinue
            @($errors).Count | Should -Be 1
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpAuthenticationRequired,$cmdletId"
            $results.Status | Should -Be 'NotDelivered'
            "$errors" | Should -Not -Match 'Unknown|may have been delivered'
        }
        finally { $server.Dispose() }
    }

    It 'says once why the session ended, and gives every later file a result pointing at that reason' {
        $files = foreach ($n in 1..5) { New-Message "flood$n.eml" }
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 PIPELINING',
            'read', 'read', 'read', 'reply 250 ok|550 5.7.1 authentication required|554 5.5.1 no valid recipients',
            'read', 'read', 'read', 'read', 'reply 250 reset|250 ok|550 5.7.1 authentication required|554 5.5.1 no valid recipients',
            'read', 'reset')
        $server = Start-ScriptedServer $script
        try {
            $results = $files | Send-RawSmtpMail @common -Port $server.Port -ResultOnly -ErrorVariable errors -ErrorAction SilentlyContinue
            $results.Count | Should -Be 5
            $results.Status | Should -Be @('NotDelivered', 'NotDelivered', 'NotDelivered', 'NotDelivered', 'NotDelivered')
            $errors.FullyQualifiedErrorId | Should -Be @("SmtpRecipientRejected,$cmdletId", "SmtpRecipientRejected,$cmdletId", "SmtpConnectionLost,$cmdletId")
            $results[3].Reason | Should -Match '^It was not sent: the session had ended'
            $results[4].Reason | Should -Be $results[3].Reason
            "$($errors[2])" | Should -Not -Match 'see inner exception'
            "$($errors[2])" | Should -Match 'reset|closed'
        }
        finally { $server.Dispose() }
    }

    It 'lets user code make a result, as a Pester mock of a delivery needs' {
        $result = [SmtpPs.SmtpMessageResult]@{ Path = 'alert.eml'; Status = 'Delivered'; AcceptedRecipients = [System.Collections.Generic.List[string]]@('oncall@example.org'); QueueId = 'Q9' }
        $result.Status | Should -Be 'Delivered'
        $result.AcceptedRecipients | Should -Be @('oncall@example.org')
        "$result" | Should -Be 'alert.eml: Delivered'
    }
}

Describe 'The error contract' {
    It 'raises a partial delivery, with -ErrorAction Stop, after the message was delivered, as SmtpPartiallyDelivered carrying the result' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 PIPELINING', 'read', 'read', 'read', 'read',
            'reply 250 ok|250 ok|501 5.1.3 bad address|354 go', 'data', 'reply 250 2.0.0 queued as P1', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $collected = [System.Collections.Generic.List[object]]::new()
            $caught = $null
            try { Send-RawSmtpMail -Path (New-Message 'p.eml') -From a@example.org -To good@example.test, other@example.test -Server 127.0.0.1 -Port $server.Port -TimeoutSec 5 -PassThru -ErrorAction Stop | ForEach-Object { $collected.Add($_) } }
            catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be "SmtpPartiallyDelivered,$cmdletId"
            $caught.Exception.Result.Status | Should -Be 'Delivered'
            $caught.Exception.Result.AcceptedRecipients | Should -Be @('good@example.test')
            $caught.Exception.Result.RejectedRecipients | Should -Be @('other@example.test')
            ($collected | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Delivered'
            # Every reply of the message came before its result, and the result before the error.
            $collected[-1] | Should -BeOfType ([SmtpPs.SmtpMessageResult])
            $collected[-2].Command | Should -Be '(end of data)'
        }
        finally { $server.Dispose() }
    }

    It 'raises a refusal that left nothing sent as SmtpRecipientRejected, with a NotDelivered result' {
        $script = @('reply 220 hi', 'read', 'reply 250-hi|250 PIPELINING', 'read', 'read', 'read', 'reply 250 ok|550 5.1.1 no such user|554 5.5.1 no valid recipients', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $caught = $null
            try { $null = Send-RawSmtpMail -Path (New-Message 'n.eml') @common -Port $server.Port -ErrorAction Stop } catch { $caught = $_ }
            $caught.FullyQualifiedErrorId | Should -Be "SmtpRecipientRejected,$cmdletId"
            $caught.Exception.Result.Status | Should -Be 'NotDelivered'
        }
        finally { $server.Dispose() }
    }

    It 'writes each result right after its message''s last reply, and the reply to QUIT last' {
        $server = Start-RecordingServer
        try {
            $output = (New-Message 'o1.eml'), (New-Message 'o2.eml') | Send-RawSmtpMail @common -Port $server.Port -PassThru
            $kinds = $output | ForEach-Object { if ($_ -is [SmtpPs.SmtpMessageResult]) { 'result' } else { $_.Command -replace '[: ].*' } }
            $kinds[-1] | Should -Be 'QUIT'
            for ($i = 0; $i -lt $kinds.Count; $i++) {
                if ($kinds[$i] -eq 'result') { $output[$i - 1].Stage | Should -Be 'EndOfData' }
            }
            @($kinds -eq 'result').Count | Should -Be 2
        }
        finally { $server.Dispose() }
    }

    It 'writes only the results with -ResultOnly' {
        $server = Start-RecordingServer
        try {
            $output = (New-Message 'r1.eml'), (New-Message 'r2.eml') | Send-RawSmtpMail @common -Port $server.Port -ResultOnly
            $output | ForEach-Object { $_ | Should -BeOfType ([SmtpPs.SmtpMessageResult]) }
            $output.Status | Should -Be @('Delivered', 'Delivered')
        }
        finally { $server.Dispose() }
    }
}

Describe 'No content before the transaction is accepted (hazards: H-BLIND-CONTENT)' {
    BeforeAll {
        Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
        $script:postfixSkip = Get-PostfixSkipReason
        if (-not $postfixSkip) {
            $script:recorder = Start-RecordingServer
            $script:cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
            $script:ports = @{ Plain = (Get-FreeTcpPort); StartTls = (Get-FreeTcpPort); Implicit = (Get-FreeTcpPort); Required = (Get-FreeTcpPort) }
            $script:postfixDir = Start-PrivatePostfix -Port $ports.Plain -RelayPort $recorder.Port -Certificate $cert -StartTlsPort $ports.StartTls `
                -ImplicitTlsPort $ports.Implicit -RequireTlsPort $ports.Required -ExtraConfig @('smtpd_delay_reject = no', 'smtpd_sender_restrictions = reject_non_fqdn_sender')
            # Every line of the body would be a command to a server that took it as such.
            $script:smuggler = New-MessageFile -Text (($headers -f 'smuggler') + "Subject: commands`r`n`r`n" + ("MAIL FROM:<evil@example.org>`r`nRCPT TO:<victim@example.org>`r`nDATA`r`nNOOP`r`n" * 5))
        }
    }
    AfterAll {
        if (-not $postfixSkip) { Stop-PrivatePostfix $postfixDir; $recorder.Dispose() }
    }

    It 'sends no body line to Postfix when <case>, as Postfix''s own count of commands shows' -TestCases @(
        @{ case = 'STARTTLS is required and TLS is off'; port = 'Required'; from = 'a@example.org'; mail = 'mail=0/1' }
        @{ case = 'the sender is refused'; port = 'Plain'; from = 'a@localhost'; mail = 'mail=0/1' }
    ) {
        param($case, $port, $from, $mail)
        if ($postfixSkip) { Set-ItResult -Skipped -Because $postfixSkip }
        $before = @(Get-Content (Join-Path $postfixDir 'maillog') -ErrorAction SilentlyContinue | Where-Object { $_ -match 'smtpd\[\d+\]: disconnect from .* ehlo=' }).Count
        $results = Send-RawSmtpMail -Path $smuggler -From $from -To b@example.org -Server 127.0.0.1 -Port $ports[$port] -TlsMode None -TimeoutSec 10 -ResultOnly -ErrorAction SilentlyContinue
        $results.Status | Should -Be 'NotDelivered'
        $line = Get-PostfixDisconnect -Directory $postfixDir -After $before
        $line | Should -Match $mail
        $line | Should -Not -Match 'unknown='
        $line | Should -Not -Match 'noop='
        $line | Should -Match 'quit=1'
    }
}

Describe 'Odd files, a stopped pipeline and limits' {
    It 'refuses <name> before connecting, at once, with a hint' -TestCases @(
        @{ name = 'a FIFO whose writer has finished'; id = 'MessageFileEmpty'; make = { $f = Join-Path $TestDrive "fifo-$([guid]::NewGuid().ToString('n'))"; mkfifo $f; $f } }
        @{ name = 'standard input'; id = 'MessageFileNotRegular'; make = { '/dev/stdin' } }
        @{ name = 'a device'; id = 'MessageFileNotRegular'; make = { '/dev/zero' } }
    ) {
        param($name, $id, $make)
        if (-not $IsLinux) { Set-ItResult -Skipped -Because 'FIFOs and /dev/stdin are Unix files' }
        $path = & $make
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $run = Invoke-InRunspace { param($path, $port) Send-RawSmtpMail -LiteralPath $path -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $port -TimeoutSec 5 -ResultOnly -ErrorAction Continue } @($path, $server.Port)
            $run.Finished | Should -BeTrue
            $run.Output.Status | Should -Be 'NotDelivered'
            $run.Errors[0].FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
            "$($run.Errors[0])" | Should -Match 'not a regular file.*-Content'
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'closes the connection without the end of the message when a large file changes after its check' {
        $block = [SmtpPs.TestServer.CoreConstants]::ReadBlockSize
        $file = New-MessageFile -Text (($headers -f 'grows') + "Subject: grows`r`n`r`n" + (('z' * 70 + "`r`n") * [math]::Ceiling(1.5 * $block / 72)))
        $script = @('reply 220 hi', 'read', 'reply 250 hi', 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'sleep 1500', 'reply 354 go', 'data', 'reply 250 queued')
        $server = Start-ScriptedServer $script
        try {
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($m, $f, $p) Import-Module $m; Send-RawSmtpMail -LiteralPath $f -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $p -TimeoutSec 5 -ResultOnly -ErrorAction SilentlyContinue; $Error').AddArgument($env:SMTPPS_MODULE).AddArgument($file).AddArgument($server.Port)
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (@($server.Commands) -notcontains 'DATA' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            # Between the check and the 354: a NUL and a 2,000-octet line appended.
            [System.IO.File]::AppendAllText($file, "bad`0line`r`n" + ('y' * 2000) + "`r`n")
            $handle.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue
            $output = @($ps.EndInvoke($handle)); $ps.Dispose()
            $result = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
            $result.Status | Should -Be 'NotDelivered'
            ($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })[0].FullyQualifiedErrorId | Should -Be "MessageFileChanged,$cmdletId"
            $null = $server.WaitForClose()
            $server.ReceivedText | Should -Not -Match "\r\n\.\r\n"
            $server.ReceivedText | Should -Not -Match "bad"
        }
        finally { $server.Dispose() }
    }

    It 'sends a file of one block exactly as it was checked, even when it changes before it is sent' {
        $file = New-MessageFile -Text (($headers -f 'small') + "Subject: small`r`n`r`noriginal`r`n")
        $original = [System.IO.File]::ReadAllText($file)
        $script = @('reply 220 hi', 'read', 'reply 250 hi', 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'sleep 1000', 'reply 354 go', 'data', 'reply 250 queued', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $ps = [powershell]::Create()
            $null = $ps.AddScript('param($m, $f, $p) Import-Module $m; Send-RawSmtpMail -LiteralPath $f -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $p -TimeoutSec 5 -ResultOnly').AddArgument($env:SMTPPS_MODULE).AddArgument($file).AddArgument($server.Port)
            $handle = $ps.BeginInvoke()
            $deadline = [DateTime]::UtcNow.AddSeconds(10)
            while (@($server.Commands) -notcontains 'DATA' -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 20 }
            [System.IO.File]::AppendAllText($file, "appended`0`r`n")
            $handle.AsyncWaitHandle.WaitOne(15000) | Should -BeTrue
            $result = @($ps.EndInvoke($handle))[0]; $ps.Dispose()
            $result.Status | Should -Be 'Delivered'
            $null = $server.WaitForClose()
            Get-Latin1Text ([SmtpPs.TestServer.Wire]::Unstuff($server.DataSections[0])) | Should -BeExactly $original
        }
        finally { $server.Dispose() }
    }

    It 'refuses to take recipients from a header block longer than it keeps, instead of a cut address' {
        $max = [SmtpPs.TestServer.CoreConstants]::MaxHeaderBytes
        # Kept lines lose their CR: 98 octets each. The first pad line is sized so that the kept block
        # ends in the middle of the To address: "To: alice@exa" is what a cut block would give.
        $lines = [math]::Floor(($max - 20) / 98) - 1
        $first = $max - 20 - 98 * $lines - 13 - 1
        $pad = ("X-First: " + ('f' * ($first - 9)) + "`r`n") + ("X-Pad: " + ('p' * 90) + "`r`n") * $lines
        $file = New-MessageFile -Text ("From: a@example.org`r`n" + $pad + "To: alice@example.org`r`n`r`nbody`r`n")
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $results = Send-RawSmtpMail -Path $file -RecipientsFromHeaders -Server 127.0.0.1 -Port $server.Port -ResultOnly -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "HeaderBlockTooLong,$cmdletId"
            $results.Status | Should -Be 'NotDelivered'
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'closes the connection without QUIT or content when the pipeline stops on the 354' {
        $server = Start-RecordingServer
        try {
            $file = New-Message 'stopped.eml'
            # Greeting, EHLO, MAIL, RCPT, DATA: the fifth reply is the 354.
            $first = Send-RawSmtpMail -Path $file @common -Port $server.Port -TimeoutSec 30 | Select-Object -First 5
            $first[-1].Code | Should -Be 354
            $server.WaitForIdle() | Should -BeTrue
            $connection = @($server.Connections)[0]
            $connection.ClientText | Should -Match "DATA\r\n$"
            @($server.Messages).Count | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'refuses the HELO name <value> before connecting' -TestCases @(
        @{ value = "[IPv6:::1%`r`nRCPT TO:<x@y>]" }
        @{ value = '[0x7f.1.1.1]' }
        @{ value = '[IPv6:::1%eth0]' }
        @{ value = '[127.0.0.256]' }
        @{ value = '[1.2.3]' }
    ) {
        param($value)
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            { Send-RawSmtpMail -Path (New-Message 'h.eml') @common -Port $server.Port -HeloName $value } | Should -Throw -ErrorId "InvalidHeloName,$cmdletId"
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'refuses an access token whose AUTH response cannot fit a line, before connecting' {
        $server = Start-ScriptedServer (Get-HappyScript)
        try {
            $token = ConvertTo-SecureString ('t' * 10000) -AsPlainText -Force
            $thrown = { Send-RawSmtpMail -Path (New-Message 't.eml') @common -Port $server.Port -AccessToken $token -UserName alice } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be "AccessTokenTooLong,$cmdletId"
            "$thrown" | Should -Match '12288'
            $server.ConnectionCount | Should -Be 0
        }
        finally { $server.Dispose() }
    }

    It 'leaves an existing transcript as it was with -WhatIf' {
        $transcript = Join-Path $TestDrive 'existing.log'
        Set-Content -LiteralPath $transcript -Value 'yesterday''s run'
        $null = Send-RawSmtpMail -Path (New-Message 'w.eml') @common -Port 25 -TranscriptPath $transcript -WhatIf
        Get-Content -LiteralPath $transcript | Should -Be "yesterday's run"
    }

    It 'sends a file whose name has wildcard characters escaped with backticks, as Get-Content reads it' {
        $server = Start-RecordingServer
        try {
            $file = New-MessageFile -Name 'a[1].eml' -Text (($headers -f 'escaped') + "Subject: escaped`r`n`r`nx`r`n")
            Get-Content -Path (Join-Path $TestDrive 'a`[1`].eml') | Should -Not -BeNullOrEmpty
            $result = Send-RawSmtpMail -Path (Join-Path $TestDrive 'a`[1`].eml') @common -Port $server.Port -ResultOnly
            $result.Status | Should -Be 'Delivered'
            $result.Path | Should -Be $file
        }
        finally { $server.Dispose() }
    }

    It 'bounds each wait with -TimeoutSec, not the whole call' {
        # Three replies to the end of data, each 0.7 s late: every wait is within 1 s, the whole is not.
        $files = foreach ($n in 1..3) { New-Message "slow$n.eml" }
        $script = @('reply 220 hi', 'read', 'reply 250 hi') + @(foreach ($n in 1..3) { 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'reply 354 go', 'data', 'sleep 700', 'reply 250 queued' }) + @('read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $watch = [System.Diagnostics.Stopwatch]::StartNew()
            $results = $files | Send-RawSmtpMail @common -Port $server.Port -TimeoutSec 1 -ResultOnly
            $watch.Elapsed.TotalSeconds | Should -BeGreaterThan 2
            $results.Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
        }
        finally { $server.Dispose() }
    }
}

Describe 'Errors that say what to do' {
    It 'suggests -TlsMode Implicit when a port that speaks TLS from the first byte gives no greeting' {
        $cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
        $server = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 221 bye') $cert -ImplicitTls
        try {
            $null = Send-RawSmtpMail -Path (New-Message 'i.eml') @common -Port $server.Port -TimeoutSec 1 -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpTimeout,$cmdletId"
            "$($errors[0])" | Should -Match '-TlsMode Implicit'
            $probe = Test-SmtpServer -Server 127.0.0.1 -Port $server.Port -TimeoutSec 1 -ErrorVariable probeErrors -ErrorAction SilentlyContinue
            "$($probeErrors[0])" | Should -Match '-TlsMode Implicit'
            $probe.Succeeded | Should -BeFalse
        }
        finally { $server.Dispose() }
    }

    It 'says what to give instead of -To <value>' -TestCases @(
        @{ value = 'John <john@example.org>'; hint = 'bare address.*To: header' }
        @{ value = 'a@example.org, b@example.org'; hint = 'separate values' }
        @{ value = 'a@example.org;b@example.org'; hint = 'separate values' }
        @{ value = 'a@example.org b@example.org'; hint = 'separate values' }
        @{ value = 'John john@example.org'; hint = 'bare address' }
    ) {
        param($value, $hint)
        $thrown = { Send-RawSmtpMail -Path (New-Message 'to.eml') -From a@example.org -To $value -Server 127.0.0.1 -Port 25 } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidRecipientAddress,$cmdletId"
        "$thrown" | Should -Match $hint
    }

    It 'says to give the port with -Port for -Server <value>' -TestCases @(
        @{ value = '127.0.0.1:3525' }
        @{ value = 'smtp.example.org:587' }
        @{ value = '[::1]:25' }
    ) {
        param($value)
        $thrown = { Send-RawSmtpMail -Path (New-Message 's.eml') @common -Server $value } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidServerName,$cmdletId"
        "$thrown" | Should -Match '-Port \d+'
    }

    It 'says how to send message text that was piped in as a path' {
        $null = "From: a@example.org`r`nSubject: text`r`n`r`nbody" | Send-RawSmtpMail @common -Port 25 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "MessageTextGivenAsPath,$cmdletId"
        "$($errors[0])" | Should -Match '-Content'
    }

    It 'suggests -LiteralPath when a wildcard path matches nothing' {
        $null = Send-RawSmtpMail -Path (Join-Path $TestDrive 'report[1].eml') @common -Port 25 -ErrorVariable errors -ErrorAction SilentlyContinue
        $errors[0].FullyQualifiedErrorId | Should -Be "MessageFileNotFound,$cmdletId"
        "$($errors[0])" | Should -Match '-LiteralPath'
    }

    It 'lists the names a certificate carries when it is refused for another name' {
        $cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('mail.example.test')
        $server = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go', 'starttls', 'read', 'reply 221 bye') $cert
        $transcript = Join-Path $TestDrive 'refused.log'
        try {
            $null = Send-RawSmtpMail -Path (New-Message 'c.eml') @common -Port $server.Port -TlsMode StartTls -TranscriptPath $transcript -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpCertificateRejected,$cmdletId"
            "$($errors[0])" | Should -Match "not valid for the name '127.0.0.1', only for mail\.example\.test"
            "$($errors[0])" | Should -Match '-CertificateThumbprint [0-9A-F]{64}'
            # Every way a session ends is in the transcript: here the refusal that ended it.
            (Get-Content -LiteralPath $transcript)[-1] | Should -Match '-- error: The certificate of 127\.0\.0\.1 was refused'
        }
        finally { $server.Dispose() }
    }

    It 'says "not tried", not False, when the probe stopped before AUTH; False only when the server refused the credentials' {
        $cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
        $untrusted = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go', 'starttls', 'read', 'reply 221 bye') $cert
        $refusing = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go', 'starttls', 'read', 'reply 250-hi|250 AUTH PLAIN', 'read', 'reply 535 5.7.8 no', 'read', 'reply 221 bye') $cert
        try {
            $probe = Test-SmtpServer -Server localhost -Port $untrusted.Port -Credential (New-TestCredential) -TimeoutSec 5 -ErrorAction SilentlyContinue
            $probe.AuthenticationOutcome | Should -Be 'NotTried'
            $probe.Authenticated | Should -BeNullOrEmpty
            $probe = Test-SmtpServer -Server localhost -Port $refusing.Port -Credential (New-TestCredential) -CertificateThumbprint ([SmtpPs.TestServer.TestCertificates]::Sha256($cert)) -TimeoutSec 5 -ErrorAction SilentlyContinue
            $probe.AuthenticationOutcome | Should -Be 'Refused'
            $probe.Authenticated | Should -BeFalse
        }
        finally { $untrusted.Dispose(); $refusing.Dispose() }
    }

    It 'declares the same size in -WhatIf and in SIZE=, after line-ending repair' {
        $file = New-MessageFile -Text ((($headers -f 'size') -replace "`r`n", "`n") + "Subject: size`n`nbare LF lines`nhere")
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-hi|250 SIZE 100000')
        try {
            $output = Send-RawSmtpMail -Path $file @common -Port $server.Port -PassThru -Verbose 4>&1
            $announced = ($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -match 'Performing the operation' }).Message
            $announced -match ', ([\d,]+) octets' | Should -BeTrue
            $octets = [long]($Matches[1] -replace ',')
            $null = $server.WaitForClose()
            $server.Commands[1] | Should -Match "SIZE=$octets$"
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).BytesSent | Should -Be $octets
        }
        finally { $server.Dispose() }
    }
}
