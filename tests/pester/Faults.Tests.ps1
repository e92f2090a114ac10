# Faults, hostile servers and hostile files: the hazards of docs/design/hazards.md that the other files
# do not already cover (the hazard ids are in the test names).
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:ascii = New-MessageFile -Text "Subject: ascii`r`n`r`nplain`r`n"
    $script:common = @{ From = 'a@example.org'; To = 'b@example.org'; Server = '127.0.0.1'; TimeoutSec = 5 }
}

Describe 'Property checks of the protocol core' {
    It 'the DATA encoder keeps the wire invariant and round-trips 3000 random inputs split at random boundaries (H-SMUGGLE)' {
        [SmtpPs.TestServer.CoreProperties]::CheckDataEncoder(20261126, 3000) | Should -BeNullOrEmpty
    }

    It 'the reply reader parses 2000 random valid reply streams split at random points identically (H-REPLY)' {
        [SmtpPs.TestServer.CoreProperties]::CheckReplyReader(5321, 2000) | Should -BeNullOrEmpty
    }

    It 'the reply reader ends random garbage and endless continuations in a protocol error, reading a bounded amount (H-REPLY-BOUND)' {
        [SmtpPs.TestServer.CoreProperties]::CheckReplyReaderOnGarbage(42, 400) | Should -BeNullOrEmpty
    }
}

Describe 'Hostile message files are refused before anything is sent, with the line (H-CONTENT)' {
    BeforeEach { $script:server = Start-ScriptedServer (Get-HappyScript) }
    AfterEach { $server.Dispose() }

    It 'refuses <name> as <id>' -TestCases @(
        @{ name = 'a NUL byte on line 3'; id = 'MessageFileHasNul'; bytes = [byte[]][char[]]"a`r`nb`r`nc`0d`r`n"; line = 'line 3' }
        @{ name = 'UTF-16 LE'; id = 'MessageFileIsUtf16'; bytes = [byte[]](0xFF, 0xFE, 0x53, 0x00); line = 'UTF-16' }
        @{ name = 'UTF-16 BE'; id = 'MessageFileIsUtf16'; bytes = [byte[]](0xFE, 0xFF, 0x00, 0x53); line = 'UTF-16' }
        @{ name = 'a 999-octet line 2'; id = 'MessageFileLineTooLong'; bytes = [byte[]][char[]]("Subject: x`n" + ('y' * 999) + "`n"); line = 'line 2' }
        @{ name = 'a 999-octet line after bare CRs'; id = 'MessageFileLineTooLong'; bytes = [byte[]][char[]]("a`rb`r" + ('y' * 999)); line = 'line 3' }
    ) {
        param($name, $id, $bytes, $line)
        $file = New-MessageFile -Bytes $bytes
        $thrown = { Send-RawSmtpMail -Path $file @common -Port $server.Port -ErrorAction Stop } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidData'
        $thrown.TargetObject | Should -Be $file
        "$thrown" | Should -Match $line
        $server.ConnectionCount | Should -Be 0
    }

    It 'accepts a line of exactly 998 octets' {
        $file = New-MessageFile -Text ("Subject: x`r`n`r`n" + ('y' * 998) + "`r`n")
        $null = Send-RawSmtpMail -Path $file @common -Port $server.Port
        $null = $server.WaitForClose()
        $server.DataSections[0].Length | Should -Be (14 + 998 + 2 + 3)
    }

    It 'drops a UTF-8 byte order mark, which would otherwise prefix the first header' {
        $file = New-MessageFile -Bytes ([byte[]](0xEF, 0xBB, 0xBF) + [byte[]][char[]]"Subject: bom`r`n`r`nbody`r`n")
        $null = Send-RawSmtpMail -Path $file @common -Port $server.Port
        $null = $server.WaitForClose()
        Get-Latin1Text $server.DataSections[0] | Should -BeExactly "Subject: bom`r`n`r`nbody`r`n.`r`n"
    }
}

Describe '8-bit content (H-CONTENT)' {
    BeforeAll {
        # 8-bit in the body only: 8-bit headers need SMTPUTF8 as well (Extensions.Tests.ps1).
        $script:eightBit = New-MessageFile -Bytes ([byte[]][char[]]"Subject: cafe`r`n`r`ncaf" + [byte[]](0xC3, 0xA9) + [byte[]][char[]]"`r`n")
    }

    It 'declares BODY=8BITMIME when the server offers 8BITMIME' {
        $server = Start-ScriptedServer (Get-HappyScript -Ehlo 'reply 250-x|250 8BITMIME')
        try {
            $null = Send-RawSmtpMail -Path $eightBit @common -Port $server.Port
            $null = $server.WaitForClose()
            $server.Commands | Should -Contain 'MAIL FROM:<a@example.org> BODY=8BITMIME'
        }
        finally { $server.Dispose() }
    }

    It 'does not send an 8-bit file to a server without 8BITMIME, and goes on with the next file' {
        $script = @('reply 220 hi', 'read', 'reply 250-x|250 SIZE 100000') + (Get-HappyScript)[3..99]
        $server = Start-ScriptedServer $script
        try {
            $output = $eightBit, $ascii | Send-RawSmtpMail @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors.FullyQualifiedErrorId | Should -Be @("SmtpEightBitNotSupported,$cmdletId")
            $errors[0].TargetObject | Should -Be $eightBit
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be @('NotDelivered', 'Delivered')
            @($server.Commands -match '^MAIL FROM').Count | Should -Be 1
            Get-Latin1Text $server.DataSections[0] | Should -Match 'plain'
        }
        finally { $server.Dispose() }
    }
}

Describe 'Server faults' {
    It 'answers a 4xx greeting other than 421 with QUIT and sends no EHLO (H-SESSION-END)' {
        $server = Start-ScriptedServer @('reply 450 4.3.2 not now', 'read', 'reply 221 bye')
        try {
            $null = Send-RawSmtpMail -Path $ascii @common -Port $server.Port -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $server.Commands | Should -Be @('QUIT')
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpGreetingRejected,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        }
        finally { $server.Dispose() }
    }

    It 'reports a 421 after the final dot as not delivered and closes without RSET or QUIT (H-OUTCOME)' {
        $second = New-MessageFile -Text "Subject: 2`r`n`r`n2`r`n"
        $script = (Get-HappyScript -Final 'reply 421 4.3.0 shutting down')[0..10] + @('sleep 300')
        $server = Start-ScriptedServer $script
        try {
            $output = $ascii, $second | Send-RawSmtpMail @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors.FullyQualifiedErrorId | Should -Be @("SmtpServiceClosing,$cmdletId")
            $results = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
            $results.Status | Should -Be @('NotDelivered', 'NotDelivered')
            $results[1].Reason | Should -Match 'the server ended the session \(421 '
            $server.Commands[-1] | Should -Be 'DATA'
        }
        finally { $server.Dispose() }
    }

    It 'disconnects when RSET itself fails, and sends no later file (H-SESSION-END)' {
        $second = New-MessageFile -Text "Subject: 2`r`n`r`n2`r`n"
        $script = (Get-HappyScript)[0..3] + @('reply 550 5.7.1 sender refused', 'read', 'reply 500 5.5.1 what RSET?', 'read', 'reply 221 bye')
        $server = Start-ScriptedServer $script
        try {
            $null = $ascii, $second | Send-RawSmtpMail @common -Port $server.Port -ErrorVariable errors -ErrorAction SilentlyContinue
            $null = $server.WaitForClose()
            $errors.FullyQualifiedErrorId | Should -Be @("SmtpSenderRejected,$cmdletId", "SmtpResetRejected,$cmdletId")
            @($server.Commands -match '^MAIL FROM').Count | Should -Be 1
            $server.Commands[-2..-1] | Should -Be @('RSET', 'QUIT')
        }
        finally { $server.Dispose() }
    }

    It 'times out a server that stops reading during DATA, naming the stage, and reports the file not delivered (H-STALL)' {
        $big = New-StallingFile
        $server = Start-ScriptedServer ((Get-HappyScript)[0..8] + @('sleep 6000'))
        try {
            $output = Send-RawSmtpMail -Path $big @common -Port $server.Port -TimeoutSec 1 -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpTimeout,$cmdletId"
            $errors[0].Exception.Stage | Should -Be 'Content'
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        }
        finally { $server.Dispose() }
    }

    It 'reads and reports the refusal a server sent before it stopped reading during DATA (H-STALL)' {
        $big = New-StallingFile
        $server = Start-ScriptedServer ((Get-HappyScript)[0..8] + @('reply 552 5.3.4 Message size exceeds fixed limit', 'sleep 6000'))
        try {
            $output = Send-RawSmtpMail -Path $big @common -Port $server.Port -TimeoutSec 1 -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpMessageRejected,$cmdletId"
            $errors[0].CategoryInfo.Category | Should -Be 'LimitsExceeded'
            $errors[0].TargetObject.Code | Should -Be 552
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'NotDelivered'
        }
        finally { $server.Dispose() }
    }

    It 'keeps a delivered message Delivered when the connection drops at QUIT (H-OUTCOME)' {
        $server = Start-ScriptedServer ((Get-HappyScript)[0..11] + @('close'))
        try {
            $output = Send-RawSmtpMail -Path $ascii @common -Port $server.Port -PassThru -ErrorVariable errors -ErrorAction SilentlyContinue
            ($output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status | Should -Be 'Delivered'
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpConnectionLost,$cmdletId"
            "$($errors[0])" | Should -Match ([regex]::Escape("Delivered: '$ascii'"))
        }
        finally { $server.Dispose() }
    }
}

Describe 'A TLS handshake that stalls (H-TIMEOUT)' {
    It 'times out in the StartTls stage and sends nothing in plaintext' {
        $cert = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned('localhost')
        $server = Start-ScriptedTlsServer @('reply 220 hi', 'read', 'reply 250-hi|250 STARTTLS', 'read', 'reply 220 go ahead', 'sleep 4000') $cert
        try {
            $null = Send-RawSmtpMail -Path $ascii @common -Port $server.Port -TlsMode StartTls -TimeoutSec 1 -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors[0].FullyQualifiedErrorId | Should -Be "SmtpTimeout,$cmdletId"
            $errors[0].Exception.Stage | Should -Be 'StartTls'
            @($server.Commands -like 'MAIL*') | Should -BeNullOrEmpty
        }
        finally { $server.Dispose() }
    }
}

Describe 'A name that does not resolve' {
    It 'is SmtpServerNotFound, a ConnectionError, without any query leaving the machine' {
        # A private /etc/hosts and nsswitch.conf ("hosts: files") for one child process: the lookup
        # fails locally, no DNS query is sent.
        if ($reason = Get-PrivateFilesSkipReason) { Set-ItResult -Skipped -Because $reason }
        $hosts = Join-Path $TestDrive 'hosts-nx'; "127.0.0.1 localhost`n" | Set-Content -LiteralPath $hosts -NoNewline
        $nsswitch = Join-Path $TestDrive 'nsswitch.conf'; "hosts: files`n" | Set-Content -LiteralPath $nsswitch -NoNewline
        $child = Join-Path $TestDrive 'nx.ps1'
        @'
param($Module, $File)
Import-Module $Module
$null = Send-RawSmtpMail -Path $File -From a@example.org -To b@example.org -Server nosuch.smtpps.test -Port 25 -TimeoutSec 5 -ErrorVariable errors -ErrorAction SilentlyContinue
[pscustomobject]@{ Id = $errors[0].FullyQualifiedErrorId; Category = $errors[0].CategoryInfo.Category.ToString(); Message = "$($errors[0])" } | ConvertTo-Json -Compress
'@ | Set-Content -LiteralPath $child
        $result = Invoke-WithPrivateFiles $child @($env:SMTPPS_MODULE, $ascii) @{ '/etc/hosts' = $hosts; '/etc/nsswitch.conf' = $nsswitch } | ConvertFrom-Json
        $result.Id | Should -Be "SmtpServerNotFound,$cmdletId"
        $result.Category | Should -Be 'ConnectionError'
        $result.Message | Should -Match "nosuch\.smtpps\.test.*could not be resolved"
        $result.Message | Should -Match 'Not delivered:'
    }
}

Describe 'Several addresses for one name (H-CONNECT)' {
    It 'tries the next address when the first is black-holed, within the connect timeout, and says which answered' {
        # A private /etc/hosts for one child process (a mount namespace) gives one name two loopback
        # addresses; the first is a listener whose accept queue is full, so a connect there hangs.
        if ($reason = Get-PrivateFilesSkipReason) { Set-ItResult -Skipped -Because $reason }
        $hosts = Join-Path $TestDrive 'hosts'
        "127.0.0.1 multi.smtpps.test`n127.0.0.2 multi.smtpps.test`n" | Set-Content -LiteralPath $hosts -NoNewline
        $child = Join-Path $TestDrive 'multi.ps1'
        @'
param($Module, $TestServer, $File)
$ErrorActionPreference = 'Stop'
Import-Module $Module
Add-Type -Path $TestServer
$order = [System.Net.Dns]::GetHostAddresses('multi.smtpps.test')
$server = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 220 hi', 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'reply 250 ok', 'read', 'reply 354 go', 'data', 'reply 250 ok', 'read', 'reply 221 bye'), $order[1].ToString())
$hole = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp')
$hole.Bind([System.Net.IPEndPoint]::new($order[0], $server.Port)); $hole.Listen(0)
$filler = [System.Net.Sockets.Socket]::new('InterNetwork', 'Stream', 'Tcp'); $filler.Connect($order[0], $server.Port)
$verbose = Send-RawSmtpMail -Path $File -From a@example.org -To b@example.org -Server multi.smtpps.test -Port $server.Port -TimeoutSec 2 -PassThru -Verbose 4>&1
[pscustomobject]@{
    First = $order[0].ToString(); Second = $order[1].ToString(); Port = $server.Port
    Verbose = @($verbose | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] } | ForEach-Object Message)
    Status = ($verbose | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }).Status.ToString()
} | ConvertTo-Json -Compress
'@ | Set-Content -LiteralPath $child
        $result = Invoke-WithPrivateFiles $child @($env:SMTPPS_MODULE, $env:SMTPPS_TESTSERVER, $ascii) @{ '/etc/hosts' = $hosts } | ConvertFrom-Json
        $result.Status | Should -Be 'Delivered'
        $result.Verbose | Should -Contain "$($result.First):$($result.Port) did not answer within 2 s."
        $result.Verbose | Should -Contain "Connected to $($result.Second):$($result.Port)."
    }
}

Describe 'Soak' -Tag 'Soak' {
    It 'sends 10,000 messages over one connection without growth in memory or handles' {
        $server = Start-RecordingServer
        try {
            $files = foreach ($i in 1..20) { New-MessageFile -Text "Subject: soak $i`r`n`r`n$('x' * 900)`r`n" }
            function Get-Footprint {
                [GC]::Collect(); [GC]::WaitForPendingFinalizers(); [GC]::Collect()
                [pscustomobject]@{ Managed = [GC]::GetTotalMemory($true); Handles = @(Get-ChildItem /proc/self/fd).Count }
            }
            # Warm up, then measure across 10,000 messages through one connection.
            $null = $files | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port
            $before = Get-Footprint
            $null = (1..500 | ForEach-Object { $files }) | Send-RawSmtpMail -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port
            $after = Get-Footprint
            $server.WaitForMessages(10020, 60000) | Should -BeTrue
            @($server.Connections).Count | Should -Be 2
            ($after.Handles - $before.Handles) | Should -BeLessOrEqual 5
            # The test server keeps every message in this process (~10 MB); the client must add nothing on top.
            ($after.Managed - $before.Managed) | Should -BeLessThan 40MB
        }
        finally { $server.Dispose() }
    }
}
