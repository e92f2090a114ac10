# A private Postfix instance for the interop tests: its own config_directory, queue and ports on
# loopback, relaying everything it accepts to a port the test names (the recording server), so a
# test sees what Postfix made of the message. Needs Debian's postfix package and root, as in CI.

function Get-PostfixSkipReason {
    if (-not $IsLinux) { return 'Postfix interop runs on Linux only.' }
    if (-not (Test-Path /usr/sbin/postfix)) { return 'Postfix is not installed (.ci/run installs it: apt-get install postfix).' }
    if ((id -u) -ne '0') { return 'A private Postfix instance must be started as root (CI runs as root).' }
    return $null
}

function Start-PrivatePostfix {
    <#
    Starts Postfix with smtpd on -ListenAddress:-Port (loopback) and relayhost [127.0.0.1]:-RelayPort. With a
    -Certificate (an X509Certificate2 with its key, and its issuer as -Chain), it also listens with
    STARTTLS on -StartTlsPort and with implicit TLS on -ImplicitTlsPort. Returns its directory.
    Several instances can be the MX hosts of one domain: each on its own -ListenAddress (127.0.0.2,
    127.0.0.3, ...) and the same -Port, each named by -HostName (its greeting and Received header).
    #>
    param(
        [Parameter(Mandatory)] [int] $Port,
        [Parameter(Mandatory)] [int] $RelayPort,
        $Certificate,
        $Chain,
        [int] $StartTlsPort,
        [int] $ImplicitTlsPort,
        [string] $ListenAddress = '127.0.0.1',
        [string] $HostName = 'postfix.smtpps.test',
        # With -Certificate: a port that requires STARTTLS before MAIL (smtpd_tls_security_level=encrypt).
        [int] $RequireTlsPort,
        # Lines added to main.cf, such as 'smtpd_delay_reject = no'.
        [string[]] $ExtraConfig = @()
    )
    if ($ListenAddress -notmatch '^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$') { throw "Postfix listens on 127.x.y.z only, not on $ListenAddress." }
    $dir = Join-Path ([System.IO.Path]::GetTempPath()) ("smtpps-postfix-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
    $etc = Join-Path $dir 'etc'
    $null = New-Item -ItemType Directory -Path $etc, (Join-Path $dir 'queue'), (Join-Path $dir 'data') -Force
    & chown postfix (Join-Path $dir 'data')
    Copy-Item /etc/postfix/postfix-files, /etc/postfix/dynamicmaps.cf -Destination $etc
    if (Test-Path /etc/postfix/postfix-files.d) { Copy-Item /etc/postfix/postfix-files.d -Destination $etc -Recurse }
    if (Test-Path /etc/postfix/dynamicmaps.cf.d) { Copy-Item /etc/postfix/dynamicmaps.cf.d -Destination $etc -Recurse }
    @"
compatibility_level = 3.6
queue_directory = $dir/queue
data_directory = $dir/data
meta_directory = $etc
mail_owner = postfix
setgid_group = postdrop
myhostname = $HostName
mydomain = smtpps.test
myorigin = `$myhostname
mydestination =
inet_interfaces = 127.0.0.1
inet_protocols = ipv4
mynetworks = 127.0.0.0/8
smtpd_relay_restrictions = permit_mynetworks, reject
relayhost = [127.0.0.1]:$RelayPort
smtp_dns_support_level = disabled
local_header_rewrite_clients =
alias_maps =
alias_database =
maillog_file = $dir/maillog
maillog_file_prefixes = $dir
queue_run_delay = 1s
minimal_backoff_time = 1s
maximal_backoff_time = 2s
smtputf8_enable = yes
$($ExtraConfig -join "`n")
"@ | Set-Content -LiteralPath (Join-Path $etc 'main.cf')
    # The package's master.cf with chroot off (the private queue has no chroot jail) and smtpd on our port.
    # The listening address goes here, not in inet_interfaces: Postfix wants those on an interface, and
    # only 127.0.0.1 is (127.0.0.2 and the rest of 127/8 are routed to lo without being configured).
    $master = Get-Content /etc/postfix/master.cf | ForEach-Object {
        if ($_ -match '^smtp\s+inet\s') { "${ListenAddress}:$Port inet n - n - - smtpd" }
        elseif ($_ -match '^(\S+\s+(unix|inet|fifo|unix-dgram|pass)\s+\S+\s+\S+\s+)y(\s.*)$') { $Matches[1] + 'n' + $Matches[3] }
        else { $_ }
    }
    if ($Certificate) {
        $certFile = Join-Path $etc 'server.pem'
        $keyFile = Join-Path $etc 'server.key'
        [SmtpPs.TestServer.TestCertificates]::WritePem($Certificate, $certFile, $keyFile, $Chain)
        $tls = "-o smtpd_tls_cert_file=$certFile -o smtpd_tls_key_file=$keyFile -o smtpd_tls_loglevel=1"
        $master += "${ListenAddress}:$StartTlsPort inet n - n - - smtpd -o smtpd_tls_security_level=may $tls"
        $master += "${ListenAddress}:$ImplicitTlsPort inet n - n - - smtpd -o smtpd_tls_wrappermode=yes -o smtpd_tls_security_level=encrypt $tls"
        if ($RequireTlsPort) { $master += "${ListenAddress}:$RequireTlsPort inet n - n - - smtpd -o smtpd_tls_security_level=encrypt $tls" }
    }
    $master | Set-Content -LiteralPath (Join-Path $etc 'master.cf')
    # postfix reports its fatal errors only to a terminal or syslog: script(1) gives it a terminal.
    # -e: the exit code is postfix's, so a fatal error stops here with its message.
    $output = & script -qec "/usr/sbin/postfix -c $etc start" /dev/null 2>&1
    if ($LASTEXITCODE -ne 0) { throw "Postfix did not start: $output" }
    # Wait (bounded) until smtpd answers.
    $deadline = [DateTime]::UtcNow.AddSeconds(15)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect($ListenAddress, $Port); return $dir } catch { Start-Sleep -Milliseconds 100 } finally { $client.Dispose() }
    }
    throw "Postfix did not listen on ${ListenAddress}:$Port within 15 s. Log: $(Get-Content (Join-Path $dir 'maillog') -Raw -ErrorAction SilentlyContinue)"
}

function Get-PostfixDisconnect {
    <#
    The counters Postfix's smtpd logs when a client disconnects ("disconnect from x ehlo=1 mail=0/1 ...
    commands=2/4"), from the instance's own log: what Postfix itself read as commands. Waits (bounded)
    for the line.
    #>
    param([Parameter(Mandatory)] [string] $Directory, [int] $After = 0)
    $log = Join-Path $Directory 'maillog'
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        # Only SMTP sessions: the port probe that waits for Postfix to listen logs "commands=0/0" too.
        $lines = @(Get-Content -LiteralPath $log -ErrorAction SilentlyContinue | Where-Object { $_ -match 'smtpd\[\d+\]: disconnect from .* ehlo=' })
        if ($lines.Count -gt $After) { return $lines[$After] }
        Start-Sleep -Milliseconds 100
    }
    throw "Postfix logged no disconnect line in $log."
}

function Stop-PrivatePostfix([string] $Directory) {
    if ($Directory -and (Test-Path $Directory)) {
        $null = & /usr/sbin/postfix -c (Join-Path $Directory 'etc') stop 2>&1
        Remove-Item -LiteralPath $Directory -Recurse -Force -ErrorAction SilentlyContinue
    }
}

function Start-SmtpSink {
    <# Postfix's smtp-sink on a loopback port, dumping each message into -DumpDirectory. Returns the process. #>
    param([Parameter(Mandatory)] [int] $Port, [Parameter(Mandatory)] [string] $DumpDirectory, [string[]] $Options = @())
    # As root, smtp-sink must drop to a user (-u): that user writes the dumps.
    & chown postfix $DumpDirectory
    $arguments = @('-u', 'postfix') + $Options + @('-d', "$DumpDirectory/%M.", "127.0.0.1:$Port", '10')
    $process = Start-Process -FilePath /usr/sbin/smtp-sink -ArgumentList $arguments -PassThru
    $deadline = [DateTime]::UtcNow.AddSeconds(10)
    while ([DateTime]::UtcNow -lt $deadline) {
        $client = [System.Net.Sockets.TcpClient]::new()
        try { $client.Connect('127.0.0.1', $Port); return $process } catch { Start-Sleep -Milliseconds 50 } finally { $client.Dispose() }
    }
    $process.Kill()
    throw "smtp-sink did not listen on 127.0.0.1:$Port."
}

Export-ModuleMember -Function *
