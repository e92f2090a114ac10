# Send-RawSmtpMail without -Server, and Test-SmtpServer -Domain: each recipient domain's mail goes to its
# MX hosts, found by asking a real DNS server (unbound on loopback, serving the zones of Get-MxTestZone),
# and delivered to real SMTP servers on loopback addresses that all listen on one port, as MX hosts do on
# port 25: private Postfix instances, the capture server with TLS, and a scripted server for the 421.
# Every test checks what the servers received: which host took which recipients, and nothing twice.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Dns.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    $script:skip = Get-PostfixSkipReason
    if (-not $skip) { $script:skip = Get-DnsServerSkipReason }

    function New-Alert([string] $Id = [guid]::NewGuid().ToString('n')) {
        New-MessageFile -Text ("From: ops@example.org`r`nDate: Wed, 02 Dec 2026 06:00:00 +0000`r`nMessage-ID: <$Id@example.org>`r`n" +
            "Subject: alert $Id`r`n`r`ndisk full on db1 ($Id)`r`n")
    }

    filter Get-Result { if ($_ -is [SmtpPs.SmtpMessageResult]) { $_ } }
    filter Get-Reply { if ($_ -is [SmtpPs.SmtpReply]) { $_ } }
}

Describe 'Send-RawSmtpMail without -Server delivers to each domain''s MX hosts' {
    BeforeAll {
        if (-not $skip) {
            # example.test: nothing on 127.0.0.4 (MX 10), 421 on 127.0.0.5 (MX 20), Postfix mx-a on
            # 127.0.0.2 (MX 30); equal.example.test: Postfix mx-a and mx-b (127.0.0.3) at MX 10. Both
            # Postfix instances relay to the recorder, so that every copy is counted in one place.
            $script:recorder = Start-RecordingServer
            $script:mxPort = Get-SharedFreeTcpPort '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'
            $script:busy = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 421 4.3.2 mx2.example.test busy, try later'), '127.0.0.5', $mxPort)
            $script:mxA = Start-PrivatePostfix -Port $mxPort -RelayPort $recorder.Port -ListenAddress '127.0.0.2' -HostName 'mx-a.example.test'
            $script:mxB = Start-PrivatePostfix -Port $mxPort -RelayPort $recorder.Port -ListenAddress '127.0.0.3' -HostName 'mx-b.example.test'
            $zone = Get-MxTestZone -Unreachable 127.0.0.4 -Refusing 127.0.0.5 -Accepting 127.0.0.2 -SecondAccepting 127.0.0.3
            # A domain none of whose hosts takes a session.
            $zone['example.test'] += 'closed.example.test. 300 IN MX 10 mx1.example.test.', 'closed.example.test. 300 IN MX 20 mx2.example.test.'
            $script:dns = Start-TestDnsServer -Zone $zone -ServerFailureZone 'servfail.example.test'
            $script:route = @{ DnsServer = $dns.EndPoint; Port = $mxPort; TimeoutSec = 20 }
        }

        function Get-Relayed([string] $Id, [int] $Count) {
            # The copies of message $Id that the MX hosts relayed, once $Count arrived (or 30 s passed).
            $deadline = [DateTime]::UtcNow.AddSeconds(30)
            while (@(@($recorder.Messages) | Where-Object { $_.Text -match $Id }).Count -lt $Count -and [DateTime]::UtcNow -lt $deadline) {
                Start-Sleep -Milliseconds 100
            }
            # Postfix relays each queued copy at once: a short wait shows any copy beyond those expected.
            Start-Sleep -Milliseconds 500
            @(@($recorder.Messages) | Where-Object { $_.Text -match $Id })
        }
    }
    AfterAll {
        if (-not $skip) {
            Stop-TestDnsServer $dns
            Stop-PrivatePostfix $mxA
            Stop-PrivatePostfix $mxB
            $busy.Dispose()
            $recorder.Dispose()
        }
    }
    BeforeEach {
        if ($skip) { Set-ItResult -Skipped -Because $skip }
    }

    It 'delivers through the first MX host that takes the session: MX 10 refuses the connection, MX 20 greets with 421, MX 30 takes it' {
        $id = [guid]::NewGuid().ToString('n')
        $connectionsBefore = $busy.ConnectionCount
        # The issue's own words: no -Server, no -From (the file's From header), the test zone's DNS server.
        $output = Send-RawSmtpMail -Path (New-Alert $id) -To admin@example.test -DnsServer $dns.EndPoint -Port $mxPort -PassThru -ErrorVariable failures -Verbose 4>&1
        $replies = @($output | Get-Reply)
        $replies[0].Code | Should -Be 421 -Because 'the greeting of MX 20 is written like every reply'
        $replies[1].Code | Should -Be 220
        $replies[1].Text | Should -BeLike 'mx-a.example.test *'
        ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        $failures | Should -BeNullOrEmpty -Because 'a host that did not take the session is not an error when the next one did'
        $verbose = @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] }).Message
        $verbose | Should -Contain 'Trying mx1.example.test (MX preference 10) for example.test.'
        ($verbose | Where-Object { $_ -like 'mx1.example.test did not take the session*refused*trying the next MX host.' }).Count | Should -Be 1
        ($verbose | Where-Object { $_ -like 'mx2.example.test did not take the session*421*trying the next MX host.' }).Count | Should -Be 1
        $busy.ConnectionCount | Should -Be ($connectionsBefore + 1)
        $result = $output | Get-Result
        $result.Status | Should -Be 'Delivered'
        $result.Recipients[0].Server | Should -Be "mx3.example.test:$mxPort"
        $relayed = Get-Relayed $id 1
        $relayed.Count | Should -Be 1
        $relayed[0].To | Should -Be @('admin@example.test')
        $relayed[0].From | Should -Be 'ops@example.org'
        $relayed[0].Text | Should -Match 'by mx-a\.example\.test \(Postfix\)'
    }

    It 'sends each domain''s recipients in one transaction of their own, and says which host took which' {
        $id = [guid]::NewGuid().ToString('n')
        $to = 'admin@example.test', 'oncall@implicit.example.test', 'backup@example.test'
        $result = Send-RawSmtpMail -Path (New-Alert $id) -To $to @route -ResultOnly
        $result.Status | Should -Be 'Delivered'
        $result.Recipients.Address | Should -Be $to
        $result.Recipients.Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
        # implicit.example.test has no MX: its own A record is the mail host (RFC 5321 5.1).
        $result.Recipients.Server | Should -Be @("mx3.example.test:$mxPort", "implicit.example.test:$mxPort", "mx3.example.test:$mxPort")
        $result.AttemptLog.Count | Should -Be 2
        $result.AttemptLog[0].Recipients | Should -Be @('admin@example.test', 'backup@example.test')
        $result.AttemptLog[1].Recipients | Should -Be @('oncall@implicit.example.test')
        $result.Recipients.QueueId | Should -Not -Contain ''
        $relayed = Get-Relayed $id 2
        $relayed.Count | Should -Be 2
        @($relayed | ForEach-Object { $_.To -join ',' } | Sort-Object) | Should -Be @('admin@example.test,backup@example.test', 'oncall@implicit.example.test')
    }

    It 'delivers mail for a domain with two MX hosts of equal preference through one of them, never the backup, once each' {
        $ids = 1..6 | ForEach-Object { [guid]::NewGuid().ToString('n') }
        $files = $ids | ForEach-Object { New-Alert $_ }
        $results = foreach ($file in $files) { Send-RawSmtpMail -Path $file -To admin@equal.example.test @route -ResultOnly }
        $results.Status | Should -Be (@('Delivered') * 6)
        foreach ($i in 0..5) {
            $server = $results[$i].Recipients[0].Server
            $server | Should -BeIn @("mx-a.example.test:$mxPort", "mx-b.example.test:$mxPort")
            $relayed = Get-Relayed $ids[$i] 1
            $relayed.Count | Should -Be 1
            # The host the result names is the one that relayed it.
            $relayed[0].Text | Should -Match "by $([regex]::Escape($server.Split(':')[0])) \(Postfix\)"
        }
    }

    It 'connects nowhere for a domain with a null MX (RFC 7505) and says SmtpDomainAcceptsNoMail' {
        $output = Send-RawSmtpMail -Path (New-Alert) -To admin@null.example.test @route -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue -Verbose 4>&1
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpDomainAcceptsNoMail,*'
        $failures[0].CategoryInfo.Category | Should -Be 'ObjectNotFound'
        "$($failures[0])" | Should -BeLike '*null.example.test accepts no mail*'
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Attempts | Should -Be 1
        $result.AttemptLog.Server | Should -Be 'null.example.test (MX)'
        @($output | Get-Reply).Count | Should -Be 0
        @($output | Where-Object { $_ -is [System.Management.Automation.VerboseRecord] -and $_.Message -like 'Connecting to*' }).Count | Should -Be 0
    }

    It 'delivers to the other domain when one has a null MX, and says SmtpPartiallyDelivered with the result' {
        $id = [guid]::NewGuid().ToString('n')
        try {
            Send-RawSmtpMail -Path (New-Alert $id) -To admin@example.test, admin@null.example.test @route -ErrorAction Stop | Out-Null
            throw 'expected an error'
        }
        catch {
            $_.FullyQualifiedErrorId | Should -BeLike 'SmtpPartiallyDelivered,*'
            $_.TargetObject | Should -Be 'admin@null.example.test'
            $_.Exception | Should -BeOfType [SmtpPs.SmtpPartialDeliveryException]
            $_.Exception.InnerException | Should -BeOfType [SmtpPs.SmtpRouteException]
            $_.Exception.Result.Status | Should -Be 'Delivered'
            $_.Exception.Result.Recipients.Status | Should -Be @('Delivered', 'NotDelivered')
            "$_" | Should -BeLike "*was delivered to admin@example.test, not to admin@null.example.test."
        }
        (Get-Relayed $id 1).Count | Should -Be 1
    }

    It 'reports <domain> as <errorId> (<category>) without connecting' -TestCases @(
        @{ domain = 'nowhere.example.test'; errorId = 'SmtpDomainNotFound'; category = 'ObjectNotFound' }
        @{ domain = 'dangling.example.test'; errorId = 'SmtpNoMailHost'; category = 'ObjectNotFound' }
        @{ domain = 'bare.example.test'; errorId = 'SmtpNoMailHost'; category = 'ObjectNotFound' }
        @{ domain = 'servfail.example.test'; errorId = 'SmtpDnsLookupFailed'; category = 'ResourceUnavailable' }
    ) {
        param($domain, $errorId, $category)
        $result = Send-RawSmtpMail -Path (New-Alert) -To "admin@$domain" @route -ResultOnly -ErrorVariable failures -ErrorAction SilentlyContinue
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike "$errorId,*"
        $failures[0].CategoryInfo.Category | Should -Be $category
        "$($failures[0])" | Should -BeLike "*$domain*"
        $result.Status | Should -Be 'NotDelivered'
        $result.Reason | Should -BeLike "*$domain*"
    }

    It 'tries a domain whose DNS lookup failed again with -MaximumRetryCount, and gives up with the lookup''s error' {
        $result = Send-RawSmtpMail -Path (New-Alert) -To admin@servfail.example.test @route -ResultOnly -MaximumRetryCount 1 -RetryIntervalSec 1 `
            -ErrorVariable failures -ErrorAction SilentlyContinue -WarningAction SilentlyContinue
        $result.Attempts | Should -Be 2
        $result.Status | Should -Be 'NotDelivered'
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpDnsLookupFailed,*'
    }

    It 'does not retry a domain that does not exist: that will not change' {
        $result = Send-RawSmtpMail -Path (New-Alert) -To admin@nowhere.example.test @route -ResultOnly -MaximumRetryCount 3 -RetryIntervalSec 60 -ErrorAction SilentlyContinue
        $result.Attempts | Should -Be 1
    }

    It 'reports NotDelivered when no MX host takes the session, each host tried once, and the last refusal as the error' {
        $connectionsBefore = $busy.ConnectionCount
        $output = Send-RawSmtpMail -Path (New-Alert) -To admin@closed.example.test @route -PassThru -ErrorVariable failures -ErrorAction SilentlyContinue
        $result = $output | Get-Result
        $result.Status | Should -Be 'NotDelivered'
        $result.Reason | Should -BeLike '*421*'
        $busy.ConnectionCount | Should -Be ($connectionsBefore + 1)
        $failures.Count | Should -Be 1
        $failures[0].CategoryInfo.Category | Should -Be 'ResourceUnavailable'
        ($output | Get-Reply).Code | Should -Be @(421)
    }

    It 'delivers a batch over one session per domain: two files to two domains make two connections, not four' {
        $ids = 1..2 | ForEach-Object { [guid]::NewGuid().ToString('n') }
        $output = Send-RawSmtpMail -Path ($ids | ForEach-Object { New-Alert $_ }) -To admin@example.test, oncall@implicit.example.test @route -PassThru
        ($output | Get-Result).Status | Should -Be @('Delivered', 'Delivered')
        # Every greeting starts a connection: MX 20's 421 once, then one session each for example.test and implicit.example.test.
        ($output | Get-Reply | Where-Object Stage -EQ 'Greeting').Code | Should -Be @(421, 220, 220)
        ($output | Get-Reply | Where-Object Stage -EQ 'EndOfData').Count | Should -Be 4
        foreach ($id in $ids) { (Get-Relayed $id 2).Count | Should -Be 2 }
    }

    It 'looks nothing up and connects nowhere with -WhatIf' {
        $output = Send-RawSmtpMail -Path (New-Alert) -To admin@example.test @route -WhatIf -Verbose 4>&1
        @($output | Get-Reply).Count | Should -Be 0
        @($output | Where-Object { "$_" -like 'Looking up the MX records*' }).Count | Should -Be 0
        @($output | Where-Object { "$_" -like 'Connecting to*' }).Count | Should -Be 0
    }
}

Describe 'TLS with MX routing: each certificate is checked against its MX host''s name' {
    BeforeAll {
        if (-not $skip) {
            $script:ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority()
            [SmtpPs.TestServer.TestCertificates]::Trust($ca)
            $script:tlsPort = Get-SharedFreeTcpPort '127.0.0.6', '127.0.0.7', '127.0.0.8'
            # MX 10 presents a certificate for the recipient domain itself, not for its own name: refused.
            # MX 20 presents one for its own name: accepted, although it does not name the recipient domain.
            $wrongName = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'tls.example.test', -1, 30, $false)
            $ownName = [SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'mx-good.example.test', -1, 30, $false)
            $script:mxBad = Start-SmtpTestServer -Address 127.0.0.6 -Port $tlsPort -Tls StartTls -Certificate $wrongName -ServerName mx-bad.example.test
            $script:mxGood = Start-SmtpTestServer -Address 127.0.0.7 -Port $tlsPort -Tls StartTls -Certificate $ownName -ServerName mx-good.example.test
            $script:mxPlain = Start-SmtpTestServer -Address 127.0.0.8 -Port $tlsPort -ServerName mx-plain.example.test
            $script:dns = Start-TestDnsServer -Zone @{
                'example.test' = @(
                    'tls.example.test. 300 IN MX 10 mx-bad.example.test.'
                    'tls.example.test. 300 IN MX 20 mx-good.example.test.'
                    'plain.example.test. 300 IN MX 10 mx-plain.example.test.'
                    'mx-bad.example.test. 300 IN A 127.0.0.6'
                    'mx-good.example.test. 300 IN A 127.0.0.7'
                    'mx-plain.example.test. 300 IN A 127.0.0.8'
                )
            }
            $script:route = @{ DnsServer = $dns.EndPoint; Port = $tlsPort; TimeoutSec = 20 }
        }
    }
    AfterAll {
        if (-not $skip) {
            Stop-TestDnsServer $dns
            $mxBad, $mxGood, $mxPlain | Stop-SmtpTestServer
            [SmtpPs.TestServer.TestCertificates]::Distrust($ca)
        }
    }
    BeforeEach {
        if ($skip) { Set-ItResult -Skipped -Because $skip }
        $mxBad, $mxGood, $mxPlain | Clear-SmtpTestMessage
    }

    It 'refuses a certificate that names the recipient domain but not the MX host, and delivers through the next MX over TLS' {
        $output = Send-RawSmtpMail -Path (New-Alert) -To admin@tls.example.test @route -PassThru -ErrorVariable failures -Verbose 4>&1
        $failures | Should -BeNullOrEmpty
        ($output | Where-Object { "$_" -like 'mx-bad.example.test did not take the session*' }).Count | Should -Be 1
        ($output | Get-Result).Recipients[0].Server | Should -Be "mx-good.example.test:$tlsPort"
        Get-SmtpTestMessage -Server $mxBad | Should -BeNullOrEmpty
        $received = @(Get-SmtpTestMessage -Server $mxGood)
        $received.Count | Should -Be 1
        $received[0].UsedTls | Should -BeTrue
    }

    It 'delivers through the first MX with -SkipCertificateCheck, still over TLS' {
        $result = Send-RawSmtpMail -Path (New-Alert) -To admin@tls.example.test @route -SkipCertificateCheck -ResultOnly
        $result.Recipients[0].Server | Should -Be "mx-bad.example.test:$tlsPort"
        (Get-SmtpTestMessage -Server $mxBad).UsedTls | Should -BeTrue
        Get-SmtpTestMessage -Server $mxGood | Should -BeNullOrEmpty
    }

    It 'sends in plain text to an MX host without STARTTLS under -TlsMode Auto, as MTAs do' {
        $result = Send-RawSmtpMail -Path (New-Alert) -To admin@plain.example.test @route -ResultOnly
        $result.Status | Should -Be 'Delivered'
        (Get-SmtpTestMessage -Server $mxPlain).UsedTls | Should -BeFalse
    }

    It 'sends nothing to an MX host without STARTTLS under -TlsMode StartTls' {
        $result = Send-RawSmtpMail -Path (New-Alert) -To admin@plain.example.test @route -TlsMode StartTls -ResultOnly -ErrorVariable failures -ErrorAction SilentlyContinue
        $result.Status | Should -Be 'NotDelivered'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpStartTlsNotOffered,*'
        Get-SmtpTestMessage -Server $mxPlain | Should -BeNullOrEmpty
    }

    It 'refuses -TlsServerName without -Server: each MX host has its own name' {
        { Send-RawSmtpMail -Path (New-Alert) -To admin@tls.example.test @route -TlsServerName tls.example.test } |
            Should -Throw -ErrorId 'TlsServerNameWithMxRouting,*'
    }

    It 'probes each MX host of the domain with Test-SmtpServer -Domain: preference, addresses, TLS, the certificate against the host''s name' {
        $probes = @(Test-SmtpServer -Domain tls.example.test -DnsServer $dns.EndPoint -Port $tlsPort -TimeoutSec 20 -ErrorVariable failures -ErrorAction SilentlyContinue)
        $probes.Count | Should -Be 2
        $probes.Domain | Should -Be @('tls.example.test', 'tls.example.test')
        $probes.Server | Should -Be @('mx-bad.example.test', 'mx-good.example.test')
        $probes.Preference | Should -Be @(10, 20)
        $probes[0].Addresses | Should -Be @('127.0.0.6')
        $probes[0].StartTlsOffered | Should -BeTrue
        $probes[0].TlsActive | Should -BeFalse
        $probes[0].CertificateSubject | Should -Be 'CN=tls.example.test'
        $probes[0].Error | Should -BeLike '*certificate*'
        $probes[1].TlsActive | Should -BeTrue
        $probes[1].CertificateSubject | Should -Be 'CN=mx-good.example.test'
        $probes[1].CertificateDaysLeft | Should -BeGreaterThan 27
        $probes[1].AnsweredBy | Should -Be '127.0.0.7'
        $probes[1].Error | Should -BeNullOrEmpty
        $failures.Count | Should -Be 1
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpCertificateRejected,*'
    }
}

Describe 'Test-SmtpServer -Domain against the MX tiers of example.test' {
    BeforeAll {
        if (-not $skip) {
            $script:recorder = Start-RecordingServer
            $script:mxPort = Get-SharedFreeTcpPort '127.0.0.2', '127.0.0.4', '127.0.0.5'
            $script:busy = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 421 4.3.2 mx2.example.test busy, try later'), '127.0.0.5', $mxPort)
            $script:mxA = Start-PrivatePostfix -Port $mxPort -RelayPort $recorder.Port -ListenAddress '127.0.0.2' -HostName 'mx-a.example.test'
            $script:dns = Start-TestDnsServer -Zone (Get-MxTestZone -Unreachable 127.0.0.4 -Refusing 127.0.0.5 -Accepting 127.0.0.2)
        }
    }
    AfterAll {
        if (-not $skip) {
            Stop-TestDnsServer $dns
            Stop-PrivatePostfix $mxA
            $busy.Dispose()
            $recorder.Dispose()
        }
    }
    BeforeEach {
        if ($skip) { Set-ItResult -Skipped -Because $skip }
    }

    It 'probes every MX host in preference order and says which answer' {
        $probes = @(Test-SmtpServer -Domain example.test -DnsServer $dns.EndPoint -Port $mxPort -TimeoutSec 20 -ErrorVariable failures -ErrorAction SilentlyContinue)
        $probes.Server | Should -Be @('mx1.example.test', 'mx2.example.test', 'mx3.example.test')
        $probes.Preference | Should -Be @(10, 20, 30)
        $probes.Addresses | Should -Be @('127.0.0.4', '127.0.0.5', '127.0.0.2')
        $probes[0].Error | Should -BeLike '*refused*'
        $probes[0].AnsweredBy | Should -BeNullOrEmpty
        $probes[1].GreetingCode | Should -Be 421
        $probes[2].GreetingCode | Should -Be 220
        $probes[2].Greeting | Should -BeLike 'mx-a.example.test *'
        $probes[2].AnsweredBy | Should -Be '127.0.0.2'
        $probes[2].CapabilitiesBeforeTls | Should -Contain 'PIPELINING'
        $probes[2].SizeLimit | Should -Be 10240000
        $probes[2].Error | Should -BeNullOrEmpty
        $failures.Count | Should -Be 2 -Because 'the host that refused the connection and the one that greeted with 421'
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpConnectFailed,*'
        $failures[1].FullyQualifiedErrorId | Should -BeLike 'SmtpServiceClosing,*'
    }

    It 'probes the address of a domain without MX, and says when a domain takes no mail at all' {
        $implicit = Test-SmtpServer -Domain implicit.example.test -DnsServer $dns.EndPoint -Port $mxPort -TimeoutSec 20
        $implicit.Server | Should -Be 'implicit.example.test'
        # RFC 5321 5.1: the domain's own address is an implicit MX of preference 0.
        $implicit.Preference | Should -Be 0
        $implicit.GreetingCode | Should -Be 220
        $null = Test-SmtpServer -Domain null.example.test -DnsServer $dns.EndPoint -Port $mxPort -ErrorVariable failures -ErrorAction SilentlyContinue -OutVariable probe
        $failures[0].FullyQualifiedErrorId | Should -BeLike 'SmtpDomainAcceptsNoMail,*'
        $probe[0].Domain | Should -Be 'null.example.test'
        $probe[0].Error | Should -BeLike '*accepts no mail*'
    }

    It 'refuses -Server and -Domain together, and neither' -TestCases @(
        @{ with = @{ Server = '127.0.0.2'; Domain = 'example.test' }; errorId = 'ServerAndDomain' }
        @{ with = @{}; errorId = 'ServerRequired' }
    ) {
        param($with, $errorId)
        { Test-SmtpServer @with -Port $mxPort } | Should -Throw -ErrorId "$errorId,*"
    }
}
