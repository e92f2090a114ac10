BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Dns.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    # Reported on every test that needs them when unbound or Postfix cannot run here, so a skip is never silent.
    $script:dnsSkip = Get-DnsServerSkipReason
    $script:postfixSkip = Get-PostfixSkipReason
    if (-not $script:postfixSkip) { $script:postfixSkip = $script:dnsSkip }

    function Resolve-Mx([string] $Domain, [int] $Seed = 1, [string] $Server = $dns.EndPoint, [double] $TimeoutSec = 10) {
        [SmtpPs.TestServer.MxLookup]::Resolve($Domain, $Server, $Seed, $TimeoutSec)
    }

    # A loopback DNS address where nothing answers: a resolver that is down.
    function Get-DeadDnsServer { "127.0.0.1:$(Get-FreeUdpPort '127.0.0.1')" }
}

Describe 'The MX resolver against a real DNS server (unbound on loopback)' {
    BeforeAll {
        if (-not $dnsSkip) {
            $zone = Get-MxTestZone
            $script:maxHosts = [SmtpPs.TestServer.MxLookup]::MaximumHosts
            $script:maxAddresses = [SmtpPs.TestServer.MxLookup]::MaximumAddressesPerHost
            # More hosts and addresses than the resolver tries, all of equal preference / on one host.
            $zone['example.test'] += 1..($maxHosts + 2) | ForEach-Object {
                "many.example.test. 300 IN MX 10 many$_.example.test."
                "many$_.example.test. 300 IN A 127.0.1.$_"
            }
            $zone['example.test'] += 'wide.example.test. 300 IN MX 10 wide-mx.example.test.', 'wide-mx.example.test. 300 IN AAAA ::1'
            $zone['example.test'] += 1..($maxAddresses + 2) | ForEach-Object { "wide-mx.example.test. 300 IN A 127.0.2.$_" }
            # An internationalized domain is looked up by its A-label (RFC 5890): bücher -> xn--bcher-kva.
            $zone['example.test'] += 'xn--bcher-kva.example.test. 300 IN MX 10 mx3.example.test.'
            $script:dns = Start-TestDnsServer -Zone $zone -ServerFailureZone 'servfail.example.test'
        }
    }
    AfterAll {
        if (-not $dnsSkip) { Stop-TestDnsServer $dns }
    }
    BeforeEach {
        if ($dnsSkip) { Set-ItResult -Skipped -Because $dnsSkip }
    }

    It 'routes <domain> as <outcome> (<why>)' -TestCases @(
        @{ domain = 'example.test'; outcome = 'MxHosts'; permanent = $false; transient = $false; code = $null; why = 'three MX hosts' }
        @{ domain = 'implicit.example.test'; outcome = 'ImplicitMx'; permanent = $false; transient = $false; code = $null; why = 'A record only' }
        @{ domain = 'null.example.test'; outcome = 'NullMx'; permanent = $true; transient = $false; code = '5.1.10'; why = 'MX 0 .' }
        @{ domain = 'nowhere.example.test'; outcome = 'DomainNotFound'; permanent = $true; transient = $false; code = '5.1.2'; why = 'NXDOMAIN' }
        @{ domain = 'dangling.example.test'; outcome = 'NoMailHost'; permanent = $true; transient = $false; code = '5.4.4'; why = 'the MX host does not exist' }
        @{ domain = 'bare.example.test'; outcome = 'NoMailHost'; permanent = $true; transient = $false; code = '5.4.4'; why = 'neither MX nor address' }
        @{ domain = 'servfail.example.test'; outcome = 'TransientFailure'; permanent = $false; transient = $true; code = '4.4.3'; why = 'SERVFAIL' }
        @{ domain = 'lame.example.test'; outcome = 'TransientFailure'; permanent = $false; transient = $true; code = '4.4.3'; why = 'the MX host lookup fails' }
        @{ domain = 'elsewhere.example.org'; outcome = 'TransientFailure'; permanent = $false; transient = $true; code = '4.4.3'; why = 'REFUSED' }
    ) {
        param($domain, $outcome, $permanent, $transient, $code)
        $route = Resolve-Mx $domain
        $route.Outcome | Should -Be $outcome
        $route.IsPermanentFailure | Should -Be $permanent
        $route.IsTransientFailure | Should -Be $transient
        $route.HasHosts | Should -Be (-not $permanent -and -not $transient)
        $route.EnhancedStatusCode | Should -Be $code
        $route.DnsServer | Should -Be $dns.EndPoint
        $route.Message | Should -BeLike "*$domain*"
    }

    It 'lists the MX hosts by preference, each with its address' {
        $route = Resolve-Mx 'example.test'
        $route.HostNames | Should -Be @('mx1.example.test', 'mx2.example.test', 'mx3.example.test')
        $route.Hosts.Preference | Should -Be @(10, 20, 30)
        $route.Hosts | ForEach-Object { $_.Status | Should -Be 'Resolved' }
        $route.Hosts[0].Addresses | Should -Be @('127.0.0.4')
        $route.Hosts[1].Addresses | Should -Be @('127.0.0.5')
        $route.Hosts[2].Addresses | Should -Be @('127.0.0.2')
    }

    It 'shuffles hosts of equal preference: both orders occur across seeds, and the backup stays last' {
        $orders = 1..40 | ForEach-Object { (Resolve-Mx 'equal.example.test' -Seed $_).HostNames -join ' ' }
        $distinct = @($orders | Sort-Object -Unique)
        $distinct | Should -Be @(
            'mx-a.example.test mx-b.example.test mx3.example.test'
            'mx-b.example.test mx-a.example.test mx3.example.test')
    }

    It 'gives the same order for the same seed' {
        foreach ($seed in 1..10) {
            $first = (Resolve-Mx 'equal.example.test' -Seed $seed).HostNames -join ' '
            $again = (Resolve-Mx 'equal.example.test' -Seed $seed).HostNames -join ' '
            $again | Should -Be $first
        }
    }

    It 'gives a null MX domain no host at all to connect to' {
        $route = Resolve-Mx 'null.example.test'
        $route.Hosts | Should -BeNullOrEmpty
        $route.Message | Should -Match 'null MX'
        $route.Message | Should -Match 'RFC 7505'
    }

    It 'falls back to the domain''s own address when it has no MX (RFC 5321 5.1)' {
        $route = Resolve-Mx 'implicit.example.test'
        $route.Hosts.Count | Should -Be 1
        $route.Hosts[0].Name | Should -Be 'implicit.example.test'
        $route.Hosts[0].IsImplicit | Should -BeTrue
        $route.Hosts[0].Preference | Should -Be 0
        $route.Hosts[0].Addresses | Should -Be @('127.0.0.2')
    }

    It 'tells a domain that does not exist (permanent) from a server failure (transient)' {
        $missing = Resolve-Mx 'nowhere.example.test'
        $failing = Resolve-Mx 'servfail.example.test'
        $missing.Message | Should -Match 'does not exist'
        $missing.Message | Should -Match 'NXDOMAIN'
        $failing.Message | Should -Match 'SERVFAIL'
        $missing.Outcome | Should -Not -Be $failing.Outcome
        # A domain without MX that does not exist is not an implicit MX.
        $missing.Hosts | Should -BeNullOrEmpty
    }

    It 'reports a transient failure, within its timeout, when nothing answers at the DNS server''s address' {
        $route = Resolve-Mx 'example.test' -Server (Get-DeadDnsServer) -TimeoutSec 2
        $route.Outcome | Should -Be 'TransientFailure'
        $route.Message | Should -Match 'no answer|did not answer|refused'
    }

    It 'stops at once when cancelled, as on Ctrl+C, instead of waiting for its timeout' {
        # The timeout is two minutes and nothing answers: only the cancellation can end this lookup.
        [SmtpPs.TestServer.MxLookup]::ResolveAndCancel('example.test', (Get-DeadDnsServer), 300) |
            Should -BeIn 'OperationCanceledException', 'TaskCanceledException'
    }

    It 'tells its story for -Verbose: the server asked, the MX records, each host''s addresses' {
        $route = Resolve-Mx 'example.test'
        $route.Verbose[0] | Should -Be "Looking up the MX records of example.test at $($dns.EndPoint)."
        $route.Verbose | Should -Contain 'example.test MX: mx1.example.test (10), mx2.example.test (20), mx3.example.test (30).'
        $route.Verbose | Should -Contain 'mx2.example.test has the address(es) 127.0.0.5.'
    }

    It 'returns the AAAA and the A address of a host, IPv6 first' {
        $route = Resolve-Mx 'dual.example.test'
        $route.Hosts[0].Name | Should -Be 'dual-mx.example.test'
        $route.Hosts[0].Addresses | Should -Be @('::1', '127.0.0.2')
    }

    It 'keeps a host whose address lookup failed in the list, and routes to the others' {
        $route = Resolve-Mx 'partial.example.test'
        $route.Outcome | Should -Be 'MxHosts'
        $route.HostNames | Should -Be @('mx.servfail.example.test', 'mx3.example.test')
        $route.Hosts[0].Status | Should -Be 'LookupFailed'
        $route.Hosts[0].Addresses | Should -BeNullOrEmpty
        $route.Hosts[0].Problem | Should -Match 'SERVFAIL'
        $route.Hosts[1].Addresses | Should -Be @('127.0.0.2')
    }

    It 'marks an MX host that does not exist as not found' {
        $route = Resolve-Mx 'dangling.example.test'
        $route.Hosts[0].Name | Should -Be 'missing.example.test'
        $route.Hosts[0].Status | Should -Be 'NotFound'
        $route.Hosts[0].Problem | Should -Match 'does not exist'
    }

    It 'tries at most MaximumHosts hosts of a domain and says how many it left out' {
        $route = Resolve-Mx 'many.example.test'
        $route.Hosts.Count | Should -Be $maxHosts
        $route.OmittedHosts | Should -Be 2
        $route.Message | Should -Match '2 more MX record'
    }

    It 'keeps at most MaximumAddressesPerHost addresses of a host, both families' {
        $route = Resolve-Mx 'wide.example.test'
        $addresses = $route.Hosts[0].Addresses
        $addresses.Count | Should -Be $maxAddresses
        $addresses[0] | Should -Be '::1'
        $addresses | Select-Object -Skip 1 | ForEach-Object { $_ | Should -BeLike '127.0.2.*' }
    }

    It 'looks up an internationalized domain by its A-label' {
        $route = Resolve-Mx 'bücher.example.test'
        $route.Outcome | Should -Be 'MxHosts'
        $route.HostNames | Should -Be @('mx3.example.test')
        $route.Domain | Should -Be 'bücher.example.test'
    }

    It 'needs no DNS for the address <domain>' -TestCases @(
        @{ domain = '[127.0.0.9]'; address = '127.0.0.9' }
        @{ domain = '[IPv6:::1]'; address = '::1' }
        @{ domain = '127.0.0.9'; address = '127.0.0.9' }
    ) {
        param($domain, $address)
        # The DNS server given answers nothing: a lookup would end in a transient failure.
        $route = Resolve-Mx $domain -Server (Get-DeadDnsServer) -TimeoutSec 2
        $route.Outcome | Should -Be 'AddressLiteral'
        $route.Hosts.Addresses | Should -Be @($address)
    }

    It 'refuses <domain> as no domain name, before asking DNS' -TestCases @(
        @{ domain = 'exa mple.test' }
        @{ domain = 'a..example.test' }
        @{ domain = '-lead.example.test' }
        @{ domain = ('x' * 64) + '.example.test' }
        @{ domain = '[192.0.2]' }
        @{ domain = '' }
    ) {
        param($domain)
        $route = Resolve-Mx $domain -Server (Get-DeadDnsServer) -TimeoutSec 2
        $route.Outcome | Should -Be 'InvalidDomain'
        $route.IsPermanentFailure | Should -BeTrue
    }
}

Describe 'A DNS server given as text (what -DnsServer takes)' {
    It 'takes <text> as <endPoint>' -TestCases @(
        @{ text = '127.0.0.1'; endPoint = '127.0.0.1:53' }
        @{ text = '127.0.0.53:5353'; endPoint = '127.0.0.53:5353' }
        @{ text = ' 192.0.2.53:53 '; endPoint = '192.0.2.53:53' }
        @{ text = '::1'; endPoint = '[::1]:53' }
        @{ text = '2001:db8::53'; endPoint = '[2001:db8::53]:53' }
        @{ text = '[::1]'; endPoint = '[::1]:53' }
        @{ text = '[2001:db8::53]:5353'; endPoint = '[2001:db8::53]:5353' }
        @{ text = '127.0.0.1:65535'; endPoint = '127.0.0.1:65535' }
    ) {
        param($text, $endPoint)
        $parsed = [SmtpPs.TestServer.MxLookup]::ParseDnsServer($text)
        $parsed.IsValid | Should -BeTrue
        $parsed.EndPoint | Should -Be $endPoint
        $parsed.Reason | Should -BeNullOrEmpty
    }

    It 'refuses <text> because <why>' -TestCases @(
        @{ text = ''; why = 'empty' }
        @{ text = 'dns.example.test'; why = 'is a name' }
        @{ text = 'dns.example.test:53'; why = 'is a name' }
        @{ text = '53'; why = 'not an IPv4 address' }
        @{ text = '10.1'; why = 'not an IPv4 address' }
        @{ text = '256.0.0.1'; why = 'not an IPv4 address' }
        @{ text = '127.0.0.1:'; why = 'gives no port' }
        @{ text = '127.0.0.1:0'; why = 'not a port number' }
        @{ text = '127.0.0.1:65536'; why = 'not a port number' }
        @{ text = '127.0.0.1:5x'; why = 'not a port number' }
        @{ text = '[::1'; why = 'never closes' }
        @{ text = '[::1]x'; why = 'only '':port'' may follow' }
        @{ text = '[127.0.0.1]:53'; why = 'not an IPv6 address' }
        @{ text = '0.0.0.0'; why = 'unspecified' }
        @{ text = '[::]:53'; why = 'unspecified' }
        @{ text = '224.0.0.251'; why = 'multicast' }
        @{ text = '255.255.255.255'; why = 'broadcast' }
    ) {
        param($text, $why)
        $parsed = [SmtpPs.TestServer.MxLookup]::ParseDnsServer($text)
        $parsed.IsValid | Should -BeFalse
        $parsed.Reason | Should -BeLike "*$why*"
        # The reason is for a person: plain words, no parameter name.
        $parsed.Reason | Should -Not -Match '-DnsServer'
    }
}

Describe 'Connecting to the addresses an MX lookup found' {
    It 'tries the addresses in order and stops at the first that answers' {
        $port = Get-SharedFreeTcpPort '127.0.0.4', '127.0.0.6'
        $server = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 220 mx.example.test ESMTP', 'read'), '127.0.0.6', $port)
        try {
            # Nothing listens on 127.0.0.4: refused, then the next address.
            [SmtpPs.TestServer.MxLookup]::ConnectToAddresses('mx.example.test', @('127.0.0.4', '127.0.0.6'), $port) |
                Should -Be "127.0.0.6:$port"
            $server.WaitForClose() | Should -BeTrue
            $server.ConnectionCount | Should -Be 1
        }
        finally { $server.Dispose() }
    }

    It 'names the host and every address it tried when none answers' {
        $port = Get-SharedFreeTcpPort '127.0.0.4', '127.0.0.7'
        $failure = [SmtpPs.TestServer.MxLookup]::ConnectToAddresses('mx1.example.test', @('127.0.0.4', '127.0.0.7'), $port)
        $failure | Should -BeLike 'SmtpConnectionException: *mx1.example.test*'
        $failure | Should -BeLike "*127.0.0.4:$port*127.0.0.7:$port*"
    }
}

Describe 'MX hosts on loopback addresses, all on one port, found through the DNS server' {
    BeforeAll {
        if (-not $postfixSkip) {
            # The tiers of example.test on one port: nothing on 127.0.0.4, 421 on 127.0.0.5, Postfix on
            # 127.0.0.2; and the equal-preference hosts of equal.example.test, Postfix on 127.0.0.2 and 127.0.0.3.
            $script:recorder = Start-RecordingServer
            $script:mxPort = Get-SharedFreeTcpPort '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'
            $script:busy = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 421 4.3.2 mx2.example.test busy, try later'), '127.0.0.5', $mxPort)
            $script:mxA = Start-PrivatePostfix -Port $mxPort -RelayPort $recorder.Port -ListenAddress '127.0.0.2' -HostName 'mx-a.example.test'
            $script:mxB = Start-PrivatePostfix -Port $mxPort -RelayPort $recorder.Port -ListenAddress '127.0.0.3' -HostName 'mx-b.example.test'
            $script:dns = Start-TestDnsServer -Zone (Get-MxTestZone -Unreachable 127.0.0.4 -Refusing 127.0.0.5 -Accepting 127.0.0.2 -SecondAccepting 127.0.0.3)
        }
    }
    AfterAll {
        if (-not $postfixSkip) {
            Stop-TestDnsServer $dns
            Stop-PrivatePostfix $mxA
            Stop-PrivatePostfix $mxB
            $busy.Dispose()
            $recorder.Dispose()
        }
    }
    BeforeEach {
        if ($postfixSkip) { Set-ItResult -Skipped -Because $postfixSkip }
    }

    It 'has each host of example.test behave as its tier says, on the same port' {
        $route = Resolve-Mx 'example.test'
        $first, $second, $third = $route.Hosts
        # Preference 10: nothing listens.
        [SmtpPs.TestServer.MxLookup]::ConnectToAddresses($first.Name, $first.Addresses, $mxPort, 2) |
            Should -BeLike "SmtpConnectionException: *$($first.Name)*"
        # Preference 20: greets with 421.
        $client = [System.Net.Sockets.TcpClient]::new($second.Addresses[0], $mxPort)
        try {
            $client.GetStream().ReadTimeout = 5000
            [System.IO.StreamReader]::new($client.GetStream()).ReadLine() | Should -BeLike '421 *'
        }
        finally { $client.Dispose() }
        # Preference 30: Postfix.
        $client = [System.Net.Sockets.TcpClient]::new($third.Addresses[0], $mxPort)
        try {
            $client.GetStream().ReadTimeout = 5000
            [System.IO.StreamReader]::new($client.GetStream()).ReadLine() | Should -BeLike '220 mx-a.example.test *'
        }
        finally { $client.Dispose() }
    }

    It 'delivers with Send-RawSmtpMail through the MX host at <address>, which names itself <name>' -TestCases @(
        @{ address = '127.0.0.2'; name = 'mx-a.example.test' }
        @{ address = '127.0.0.3'; name = 'mx-b.example.test' }
    ) {
        param($address, $name)
        $id = [guid]::NewGuid().ToString('n')
        $file = New-MessageFile -Text "Subject: mx $id`r`nMessage-ID: <$id@example.org>`r`n`r`nthrough $name`r`n"
        $before = @($recorder.Messages).Count
        $replies = Send-RawSmtpMail -Path $file -From a@example.org -To "admin@equal.example.test" -Server $address -Port $mxPort
        ($replies | Where-Object Stage -EQ 'EndOfData').Code | Should -Be 250
        $recorder.WaitForMessages($before + 1, 30000) | Should -BeTrue
        $relayed = @(@($recorder.Messages) | Where-Object { $_.Text -match $id })
        $relayed.Count | Should -Be 1
        $relayed[0].To | Should -Be @('admin@equal.example.test')
        $relayed[0].Text | Should -Match "by $([regex]::Escape($name)) \(Postfix\)"
    }

    It 'delivers with swaks to each address the DNS gives for equal.example.test, one copy each' {
        $route = Resolve-Mx 'equal.example.test'
        $hosts = @($route.Hosts | Where-Object Preference -EQ 10)
        $hosts.Count | Should -Be 2
        foreach ($mx in $hosts) {
            $id = [guid]::NewGuid().ToString('n')
            $before = @($recorder.Messages).Count
            $output = & swaks --server $mx.Addresses[0] --port $mxPort --from a@example.org --to admin@equal.example.test `
                --header "Message-ID: <$id@example.org>" --body "via $($mx.Name)" --helo client.example.org 2>&1
            $LASTEXITCODE | Should -Be 0 -Because ($output -join "`n")
            $recorder.WaitForMessages($before + 1, 30000) | Should -BeTrue
            $relayed = @(@($recorder.Messages) | Where-Object { $_.Text -match $id })
            $relayed.Count | Should -Be 1
            $relayed[0].Text | Should -Match "by $([regex]::Escape($mx.Name)) \(Postfix\)"
        }
    }
}
