# Shared by every *.Tests.ps1: loads the module under test and the loopback test servers, and makes
# message files. Import it in BeforeAll.

if (-not $env:SMTPPS_MODULE -or -not $env:SMTPPS_TESTSERVER) {
    throw 'Run the tests through ./build.ps1 -Task Test, which sets SMTPPS_MODULE and SMTPPS_TESTSERVER.'
}

Import-Module $env:SMTPPS_MODULE -Force -Global
Import-Module (Join-Path $PSScriptRoot '../../tools/Pwsh.psm1') -Force
if (-not ('SmtpPs.TestServer.TappedCaptureServer' -as [type])) {
    Add-Type -Path $env:SMTPPS_TESTSERVER
}
# MimeKit as a script's own code has it. On PowerShell 7 SmtpPs keeps its MimeKit in its own load context,
# where no type literal reaches, so the tests that build MimeKit objects themselves ([MimeKit.MimeMessage])
# load a MimeKit into the default context, as another module would: the same files, a second copy.
if ($PSVersionTable.PSEdition -eq 'Core' -and -not ('MimeKit.MimeMessage' -as [type])) {
    $core = Join-Path (Split-Path $env:SMTPPS_MODULE) 'Core'
    Add-Type -LiteralPath (Join-Path $core 'BouncyCastle.Cryptography.dll'), (Join-Path $core 'MimeKit.dll')
}

$script:Latin1 = [System.Text.Encoding]::Latin1

function New-MessageFile {
    <# Writes a message file in TestDrive from text (taken byte for byte as Latin-1) or raw bytes. #>
    param(
        [string] $Text,
        [byte[]] $Bytes,
        [string] $Name = ("msg-{0}.eml" -f [guid]::NewGuid().ToString('n').Substring(0, 8))
    )
    $path = Join-Path $TestDrive $Name
    if ($PSBoundParameters.ContainsKey('Bytes')) {
        [System.IO.File]::WriteAllBytes($path, $Bytes)
    }
    else {
        [System.IO.File]::WriteAllBytes($path, $script:Latin1.GetBytes($Text))
    }
    return $path
}

function Get-Latin1Text([byte[]] $Bytes) { $script:Latin1.GetString($Bytes) }

function New-StallingFile {
    <#
    A message file larger than everything the client's socket and a server that stops reading can buffer
    between them on loopback (Linux: the largest send buffer plus the largest receive buffer autotuning
    may grow to), so that sending it must block once the server stops reading.
    #>
    $bound = 64MB
    if (Test-Path /proc/sys/net/ipv4/tcp_wmem) {
        $send = [long](((Get-Content /proc/sys/net/ipv4/tcp_wmem) -split '\s+')[2])
        $receive = [long](((Get-Content /proc/sys/net/ipv4/tcp_rmem) -split '\s+')[2])
        $bound = $send + $receive + 1MB
    }
    $line = [System.Text.Encoding]::ASCII.GetBytes(("0123456789abcdef" * 4) + "`r`n")
    $path = Join-Path $TestDrive ("stall-{0}.eml" -f [guid]::NewGuid().ToString('n').Substring(0, 8))
    $stream = [System.IO.File]::Create($path)
    try {
        $block = [byte[]]::new($line.Length * 16384)
        for ($i = 0; $i -lt 16384; $i++) { [Array]::Copy($line, 0, $block, $i * $line.Length, $line.Length) }
        for ($written = 0L; $written -lt $bound; $written += $block.Length) { $stream.Write($block, 0, $block.Length) }
    }
    finally { $stream.Dispose() }
    return $path
}

function Get-Latin1Bytes([string] $Text) { $script:Latin1.GetBytes($Text) }

function Start-RecordingServer {
    <#
    The tests' real ESMTP server: the module's capture server behind a wire tap (TappedCaptureServer).
    -Certificate makes it offer STARTTLS (or TLS from the first byte with -ImplicitTls). -Users, one
    name and its password, makes it offer AUTH PLAIN and LOGIN and require that login before MAIL, as
    the capture server does with a credential. Senders and recipients starting "reject" get 550.
    #>
    param($Certificate, [switch] $ImplicitTls, [hashtable] $Users)
    $credential = $null
    if ($Users) {
        if ($Users.Count -ne 1) { throw "The capture server checks one credential; -Users has $($Users.Count)." }
        $user = @($Users.Keys)[0]
        $credential = [System.Net.NetworkCredential]::new($user, $Users[$user])
    }
    [SmtpPs.TestServer.TappedCaptureServer]::Start($Certificate, $ImplicitTls.IsPresent, $credential)
}

function Start-ScriptedTlsServer([string[]] $Script, $Certificate, [switch] $ImplicitTls, [int] $Port = 0) {
    [SmtpPs.TestServer.ScriptedSmtpServer]::StartWithTls($Script, $Certificate, $ImplicitTls.IsPresent, $Port)
}

function New-TestCredential([string] $User = 'alice', [string] $Password = 'correct horse battery staple') {
    [pscredential]::new($User, (ConvertTo-SecureString $Password -AsPlainText -Force))
}

function ConvertTo-Base64([string] $Text) { [Convert]::ToBase64String([System.Text.Encoding]::UTF8.GetBytes($Text)) }

function Start-ScriptedServer([string[]] $Script) { [SmtpPs.TestServer.ScriptedSmtpServer]::Start($Script) }

function Get-HappyScript {
    <#
    The script of a plain ESMTP server for one message with -Recipients RCPTs. -Ehlo replaces the EHLO
    reply; -Final the reply to the final dot.
    #>
    param(
        [int] $Recipients = 1,
        [string] $Ehlo = 'reply 250-scripted.test|250 8BITMIME',
        [string] $Final = 'reply 250 2.0.0 Ok: queued as ABC123'
    )
    $steps = @('reply 220 scripted.test ESMTP', 'read', $Ehlo, 'read', 'reply 250 2.1.0 Ok')
    for ($i = 0; $i -lt $Recipients; $i++) { $steps += 'read', 'reply 250 2.1.5 Ok' }
    $steps += 'read', 'reply 354 End data with <CR><LF>.<CR><LF>', 'data', $Final, 'read', 'reply 221 2.0.0 Bye'
    return $steps
}

function Get-FreeTcpPort {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0)
    $listener.Start()
    try { $listener.LocalEndpoint.Port } finally { $listener.Stop() }
}

function Get-SharedFreeTcpPort {
    <#
    A port free on every one of -Address (127.0.0.2, 127.0.0.3, ...): the MX hosts of a domain all
    listen on the same port, each on its own loopback address.
    #>
    param([Parameter(Mandatory)] [string[]] $Address)
    for ($attempt = 0; $attempt -lt 20; $attempt++) {
        $listeners = [System.Collections.Generic.List[System.Net.Sockets.TcpListener]]::new()
        try {
            $first = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($Address[0]), 0)
            $first.Start()
            $listeners.Add($first)
            $port = $first.LocalEndpoint.Port
            foreach ($other in $Address | Select-Object -Skip 1) {
                $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Parse($other), $port)
                $listener.Start()
                $listeners.Add($listener)
            }
            return $port
        }
        catch [System.Net.Sockets.SocketException] { continue }
        finally { foreach ($listener in $listeners) { $listener.Stop() } }
    }
    throw "No port is free on all of $($Address -join ', ')."
}

function Invoke-FreshPwsh {
    <#
    Runs a script file in a new pwsh -NoProfile whose PSModulePath finds the built module, as a user's
    shell would after installing it. Returns the output lines; $LASTEXITCODE holds the exit code.
    #>
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @())
    $pwsh = @(Get-PwshCommand)
    $modules = Split-Path (Split-Path (Split-Path $env:SMTPPS_MODULE))
    $saved = $env:PSModulePath
    try {
        $env:PSModulePath = $modules + [System.IO.Path]::PathSeparator + $saved
        $rest = @($pwsh | Select-Object -Skip 1)
        & $pwsh[0] @rest -NoProfile -NonInteractive -File $File @Arguments 2>&1
    }
    finally { $env:PSModulePath = $saved }
}

function Invoke-PwshWithEnvironment {
    <#
    Runs a script file in a new pwsh -NoProfile with the environment variables of -Environment set for it
    alone (a private PSModulePath, PSResourceGet store or data folder). Returns the output lines;
    $LASTEXITCODE holds the exit code.
    #>
    param([Parameter(Mandatory)] [string] $File, [string[]] $Arguments = @(), [hashtable] $Environment = @{})
    $pwsh = @(Get-PwshCommand)
    $saved = @{}
    try {
        foreach ($name in $Environment.Keys) {
            $saved[$name] = [Environment]::GetEnvironmentVariable($name)
            [Environment]::SetEnvironmentVariable($name, $Environment[$name])
        }
        $rest = @($pwsh | Select-Object -Skip 1)
        & $pwsh[0] @rest -NoProfile -NonInteractive -File $File @Arguments 2>&1
    }
    finally {
        foreach ($name in $saved.Keys) { [Environment]::SetEnvironmentVariable($name, $saved[$name]) }
    }
}

function Get-PrivateFilesSkipReason {
    if (-not $IsLinux -or (id -u) -ne '0' -or -not (Get-Command unshare -ErrorAction SilentlyContinue)) {
        return 'a private /etc/hosts needs Linux, root and unshare(1)'
    }
    return $null
}

function Invoke-WithPrivateFiles {
    <#
    Runs a script in a fresh pwsh inside a mount namespace of its own, where each system file named in
    -Files (say /etc/hosts) is replaced by the given one: name resolution under test control, with no
    query leaving the machine. Returns the script's last output line.
    #>
    param([Parameter(Mandatory)] [string] $Script, [string[]] $Arguments = @(), [Parameter(Mandatory)] [hashtable] $Files)
    $pwsh = (Get-PwshCommand) -join ' '
    $mounts = ($Files.GetEnumerator() | ForEach-Object { "mount --bind '$($_.Value)' '$($_.Key)'" }) -join ' && '
    $quoted = ($Arguments | ForEach-Object { "'$_'" }) -join ' '
    unshare --mount sh -c "$mounts && exec $pwsh -NoProfile -NonInteractive -File '$Script' $quoted" 2>&1 | Select-Object -Last 1
}

Export-ModuleMember -Function *
