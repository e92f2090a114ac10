# A real DNS server for the MX routing tests: Debian's unbound, started by the test on a loopback address
# and a free port, answering from zone data the test gives. It answers only for those zones: every other
# name is REFUSED, so nothing a test asks ever leaves the machine or reaches the machine's own resolver.

function Get-DnsServerSkipReason {
    if (-not $IsLinux) { return 'The test DNS server (unbound) runs on Linux only.' }
    if (-not (Test-Path /usr/sbin/unbound)) { return 'unbound is not installed (.ci/run installs it: apt-get install unbound).' }
    return $null
}

function Start-TestDnsServer {
    <#
    Starts unbound on -Address (a 127.x.y.z address) and a free port, serving -Zone: a hashtable from
    zone name to its records, one zone-file line each with absolute names
    ('mx1.example.test. 300 IN A 127.0.0.2'). Names in a zone without records do not exist (NXDOMAIN);
    a zone gets an SOA unless it has one. Names under -ServerFailureZone are answered SERVFAIL (they are
    forwarded to an address unbound may not ask). Anything else is REFUSED.
    Returns Address, Port, EndPoint ('127.0.0.53:40123', what a resolver is given), Directory and Process.
    #>
    param(
        [Parameter(Mandatory)] [hashtable] $Zone,
        [string] $Address = '127.0.0.53',
        [string[]] $ServerFailureZone = @()
    )
    if (-not [System.Net.IPAddress]::IsLoopback([System.Net.IPAddress]::Parse($Address)) -or $Address -notmatch '^127\.') {
        throw "The test DNS server listens on 127.x.y.z only, not on $Address."
    }
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("smtpps-dns-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $null = New-Item -ItemType Directory -Path $dir -Force

    # The zones, and what is refused or fails: the same whatever port the server gets.
    $zoneLines = @(
        # Everything outside the test's zones is refused: no query ever goes to the root servers.
        '    local-zone: "." refuse'
    )
    foreach ($name in $Zone.Keys) {
        $apex = $name.TrimEnd('.') + '.'
        $records = @($Zone[$name])
        # "static": names of the zone without data are NXDOMAIN, existing names without the type NODATA.
        $zoneLines += "    local-zone: `"$apex`" static"
        if (-not ($records | Where-Object { $_ -match '\sSOA\s' })) {
            # RFC 2308 3: a negative answer carries the zone's SOA.
            $zoneLines += "    local-data: `"$apex 300 IN SOA ns.$apex hostmaster.$apex 1 3600 600 86400 300`""
        }
        foreach ($record in $records) {
            # unbound takes a record in double quotes, or in single quotes when it holds double quotes (TXT).
            $zoneLines += if ($record -match '"') { "    local-data: '$record'" } else { "    local-data: `"$record`"" }
        }
    }
    $forwardLines = @()
    foreach ($name in $ServerFailureZone) {
        # Let these names through the refusal above and forward them to a loopback address, which unbound
        # will not query (do-not-query-localhost, its default): with no server it may ask, it answers
        # SERVFAIL at once, and no query goes anywhere.
        $zoneLines += "    local-zone: `"$($name.TrimEnd('.')).`" transparent"
        $forwardLines += 'forward-zone:', "    name: `"$($name.TrimEnd('.')).`"", '    forward-addr: 127.0.0.1@9'
    }

    # The port must be free for UDP and TCP alike; another process may take it between the check and
    # unbound's bind, so a failed start tries another port.
    $config = Join-Path $dir 'unbound.conf'
    for ($attempt = 1; $attempt -le 5; $attempt++) {
        $port = Get-FreeUdpPort $Address -AlsoTcp
        $lines = @(
            'server:'
            '    verbosity: 1'
            '    num-threads: 1'
            "    interface: $Address"
            "    port: $port"
            '    do-ip4: yes'
            '    do-ip6: no'
            '    do-udp: yes'
            '    do-tcp: yes'
            # No other process may share the port (unbound's default would let another instance take half the queries).
            '    so-reuseport: no'
            '    do-daemonize: no'
            '    username: ""'
            '    chroot: ""'
            "    directory: `"$dir`""
            "    pidfile: `"$dir/unbound.pid`""
            "    logfile: `"$dir/unbound.log`""
            '    use-syslog: no'
            # No DNSSEC validator: it would want the root's trust anchor, which a private zone never chains to.
            '    module-config: "iterator"'
            '    access-control: 127.0.0.0/8 allow'
            # Records in the order the test wrote them: the code under test decides what is shuffled.
            '    rrset-roundrobin: no'
        ) + $zoneLines + $forwardLines + @('remote-control:', '    control-enable: no')
        $lines | Set-Content -LiteralPath $config
        $check = & /usr/sbin/unbound-checkconf $config 2>&1
        if ($LASTEXITCODE -ne 0) { throw "The unbound configuration is not valid: $check" }
        $process = Start-Process -FilePath /usr/sbin/unbound -ArgumentList @('-d', '-c', $config) -PassThru `
            -RedirectStandardError (Join-Path $dir 'stderr.txt') -RedirectStandardOutput (Join-Path $dir 'stdout.txt')
        # Ready once it accepts TCP on the port (it binds UDP first).
        $deadline = [DateTime]::UtcNow.AddSeconds(15)
        while ([DateTime]::UtcNow -lt $deadline -and -not $process.HasExited) {
            $client = [System.Net.Sockets.TcpClient]::new()
            try {
                $client.Connect($Address, $port)
                return [pscustomobject]@{
                    Address = $Address
                    Port = $port
                    EndPoint = "${Address}:$port"
                    Directory = $dir
                    Process = $process
                }
            }
            catch { Start-Sleep -Milliseconds 50 }
            finally { $client.Dispose() }
        }
        if (-not $process.HasExited) { $process.Kill(); $process.WaitForExit() }
    }
    $log = Get-Content -Raw -ErrorAction SilentlyContinue (Join-Path $dir 'unbound.log'), (Join-Path $dir 'stderr.txt')
    Remove-Item -LiteralPath $dir -Recurse -Force -ErrorAction SilentlyContinue
    throw "unbound did not start on $Address. Log: $log"
}

function Stop-TestDnsServer($Server) {
    if (-not $Server) { return }
    if (-not $Server.Process.HasExited) {
        $Server.Process.Kill()
        $null = $Server.Process.WaitForExit(10000)
    }
    Remove-Item -LiteralPath $Server.Directory -Recurse -Force -ErrorAction SilentlyContinue
}

function Get-FreeUdpPort {
    <# A port free for UDP on -Address (with -AlsoTcp, for TCP too): as free as it can be before someone binds it. #>
    param([Parameter(Mandatory)] [string] $Address, [switch] $AlsoTcp)
    $ip = [System.Net.IPAddress]::Parse($Address)
    for ($i = 0; $i -lt 20; $i++) {
        $udp = [System.Net.Sockets.UdpClient]::new([System.Net.IPEndPoint]::new($ip, 0))
        try {
            $port = $udp.Client.LocalEndPoint.Port
            if (-not $AlsoTcp) { return $port }
            $tcp = [System.Net.Sockets.TcpListener]::new($ip, $port)
            try { $tcp.Start(); return $port } catch { continue } finally { $tcp.Stop() }
        }
        finally { $udp.Dispose() }
    }
    throw "No free UDP and TCP port on $Address."
}

function Get-MxTestZone {
    <#
    The zones of the MX routing tests, as Start-TestDnsServer takes them. All under example.test
    (RFC 6761 reserves .test); every address is loopback. The MX hosts' addresses are parameters, so the
    test decides what listens where (each MX host on the same port, as with a real port 25):

      example.test           MX 10 mx1 (-Unreachable: nothing listens), MX 20 mx2 (-Refusing: answers 421),
                             MX 30 mx3 (-Accepting: takes the mail)
      equal.example.test     MX 10 mx-a (-Accepting), MX 10 mx-b (-SecondAccepting), MX 20 mx3 (the backup)
      implicit.example.test  no MX, A -Accepting only: the implicit MX (RFC 5321 5.1)
      null.example.test      MX 0 . (RFC 7505 null MX)
      dual.example.test      MX 10 dual-mx, which has AAAA ::1 and A -Accepting
      dangling.example.test  MX 10 missing.example.test, a name that does not exist
      bare.example.test      exists (a TXT record), but has neither MX nor address
      nowhere.example.test   does not exist (NXDOMAIN)
      servfail.example.test  SERVFAIL, and every name under it, when the server is started with
                             -ServerFailureZone servfail.example.test (else NXDOMAIN)
      lame.example.test      MX 10 mx.servfail.example.test, whose address lookup fails
      partial.example.test   MX 10 mx.servfail.example.test, MX 20 mx3
    #>
    param(
        [string] $Unreachable = '127.0.0.4',
        [string] $Refusing = '127.0.0.5',
        [string] $Accepting = '127.0.0.2',
        [string] $SecondAccepting = '127.0.0.3'
    )
    @{
        'example.test' = @(
            'example.test. 300 IN MX 10 mx1.example.test.'
            'example.test. 300 IN MX 20 mx2.example.test.'
            'example.test. 300 IN MX 30 mx3.example.test.'
            "mx1.example.test. 300 IN A $Unreachable"
            "mx2.example.test. 300 IN A $Refusing"
            "mx3.example.test. 300 IN A $Accepting"
            'equal.example.test. 300 IN MX 10 mx-a.example.test.'
            'equal.example.test. 300 IN MX 10 mx-b.example.test.'
            'equal.example.test. 300 IN MX 20 mx3.example.test.'
            "mx-a.example.test. 300 IN A $Accepting"
            "mx-b.example.test. 300 IN A $SecondAccepting"
            "implicit.example.test. 300 IN A $Accepting"
            'null.example.test. 300 IN MX 0 .'
            'dual.example.test. 300 IN MX 10 dual-mx.example.test.'
            'dual-mx.example.test. 300 IN AAAA ::1'
            "dual-mx.example.test. 300 IN A $Accepting"
            'dangling.example.test. 300 IN MX 10 missing.example.test.'
            'bare.example.test. 300 IN TXT "v=spf1 -all"'
            'lame.example.test. 300 IN MX 10 mx.servfail.example.test.'
            'partial.example.test. 300 IN MX 10 mx.servfail.example.test.'
            'partial.example.test. 300 IN MX 20 mx3.example.test.'
        )
    }
}

Export-ModuleMember -Function Get-DnsServerSkipReason, Start-TestDnsServer, Stop-TestDnsServer, Get-FreeUdpPort, Get-MxTestZone
