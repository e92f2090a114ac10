# The SMTP capture server that ships in the module (Start-SmtpTestServer and friends), driven by real
# clients: what each one sent must be what the server captured, byte for byte.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Invoke-RawSmtp {
        <#
        Sends -Text (taken byte for byte as Latin-1) at once on a fresh connection, as a pipelining
        client would, and returns everything the server sent until it closed (QUIT ends the script).
        #>
        param([int] $Port, [string] $Text)
        $client = [System.Net.Sockets.TcpClient]::new('127.0.0.1', $Port)
        try {
            $client.ReceiveTimeout = 10000
            $stream = $client.GetStream()
            $bytes = Get-Latin1Bytes $Text
            $stream.Write($bytes, 0, $bytes.Length)
            $received = [System.IO.MemoryStream]::new()
            $buffer = [byte[]]::new(4096)
            while (($n = $stream.Read($buffer, 0, $buffer.Length)) -gt 0) { $received.Write($buffer, 0, $n) }
            Get-Latin1Text $received.ToArray()
        }
        finally { $client.Dispose() }
    }

    function Invoke-Python([string] $Code, [string[]] $Arguments) {
        & /usr/bin/python3 -c $Code @Arguments 2>&1
    }

    function Get-Result { process { if ($_ -is [SmtpPs.SmtpMessageResult]) { $_ } } }

    $script:message = "From: Ops <ops@example.org>`r`nTo: Team <team@example.org>`r`nSubject: =?UTF-8?B?w5xiZXJzaWNodA==?=`r`n`r`n.a line that starts with a dot`r`nsecond line`r`n..two dots`r`n"
}

AfterAll {
    Get-SmtpTestServer | Stop-SmtpTestServer
}

Describe 'Start-SmtpTestServer' {
    It 'listens on 127.0.0.1 on a free port, and several servers capture apart' {
        $one = Start-SmtpTestServer
        $two = Start-SmtpTestServer
        try {
            $one.Address.ToString() | Should -Be '127.0.0.1'
            $one.Port | Should -Not -Be $two.Port
            $one.EndPoint | Should -Be "127.0.0.1:$($one.Port)"
            $file = New-MessageFile -Text $message
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To one@example.org -Server 127.0.0.1 -Port $one.Port
            $null = Send-RawSmtpMail -Path $file -From a@example.org -To two@example.org -Server 127.0.0.1 -Port $two.Port
            (Get-SmtpTestMessage -Server $one).RcptTo | Should -Be 'one@example.org'
            (Get-SmtpTestMessage -Server $two).RcptTo | Should -Be 'two@example.org'
            @(Get-SmtpTestServer).Id | Should -Contain $one.Id
        }
        finally { $one, $two | Stop-SmtpTestServer }
    }

    It 'listens on the port given with -Port, and says so when it is taken' {
        $port = Get-FreeTcpPort
        $server = Start-SmtpTestServer -Port $port
        try {
            $server.Port | Should -Be $port
            { Start-SmtpTestServer -Port $port -ErrorAction Stop } | Should -Throw -ErrorId 'SmtpTestPortInUse,SmtpPs.Commands.Testing.StartSmtpTestServerCommand'
        }
        finally { $server | Stop-SmtpTestServer }
    }

    It 'refuses <name> before it listens' -TestCases @(
        @{ name = 'an address that is not an IP address'; make = { @{ Address = 'localhost' } }; id = 'InvalidListenAddress' }
        @{ name = 'a certificate without TLS'; make = { @{ Certificate = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned() } }; id = 'CertificateWithoutTls' }
        @{ name = 'a credential with AUTH turned off'; make = { @{ Credential = (New-TestCredential); DisableExtension = 'Auth' } }; id = 'CredentialWithoutAuth' }
    ) {
        param($make, $id)
        $arguments = & $make
        $before = @(Get-SmtpTestServer).Count
        { Start-SmtpTestServer @arguments -ErrorAction Stop } | Should -Throw -ErrorId "$id,SmtpPs.Commands.Testing.StartSmtpTestServerCommand"
        @(Get-SmtpTestServer).Count | Should -Be $before
    }

    It 'starts nothing with -WhatIf' {
        $before = @(Get-SmtpTestServer).Count
        Start-SmtpTestServer -WhatIf | Should -BeNullOrEmpty
        @(Get-SmtpTestServer).Count | Should -Be $before
    }

    It 'stops listening when stopped, and keeps its records readable' {
        $server = Start-SmtpTestServer
        $null = Send-RawSmtpMail -Path (New-MessageFile -Text $message) -From a@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port
        $server | Stop-SmtpTestServer
        $server.IsRunning | Should -BeFalse
        Get-SmtpTestServer | Where-Object Id -eq $server.Id | Should -BeNullOrEmpty
        { [System.Net.Sockets.TcpClient]::new('127.0.0.1', $server.Port) } | Should -Throw
        (Get-SmtpTestMessage -Server $server).RcptTo | Should -Be 'b@example.org'
    }

    It 'finds the one running server by itself, and asks which when <count> run' -TestCases @(
        @{ count = 0; id = 'SmtpTestServerNotRunning' }
        @{ count = 2; id = 'SmtpTestServerAmbiguous' }
    ) {
        param($count, $id)
        $servers = @(for ($i = 0; $i -lt $count; $i++) { Start-SmtpTestServer })
        try {
            Get-SmtpTestMessage -ErrorVariable failure -ErrorAction SilentlyContinue | Should -BeNullOrEmpty
            $failure[0].FullyQualifiedErrorId | Should -Be "$id,SmtpPs.Commands.Testing.GetSmtpTestMessageCommand"
        }
        finally { $servers | Stop-SmtpTestServer }
    }

    It 'needs PowerShell 7.4 or newer, and says why on <framework>' -TestCases @(
        @{ framework = '.NET Framework 4.8.9032.0'; version = '4.0.30319'; why = 'netstandard2\.1' }
        @{ framework = '.NET Core 3.1.32'; version = '3.1.32'; why = '\.NET 8 builds' }
        @{ framework = '.NET 6.0.36'; version = '6.0.36'; why = '\.NET 8 builds' }
    ) {
        param($framework, $version, $why)
        # The check that runs before the engine (netstandard2.1) is loaded; Windows PowerShell 5.1 cannot be run here.
        $check = [SmtpPs.SmtpTestServer].Assembly.GetType('SmtpPs.Testing.EngineLoader').GetMethod('UnsupportedReason', [System.Reflection.BindingFlags]'NonPublic, Static')
        $reason = $check.Invoke($null, @($framework, [version]$version))
        $reason | Should -Match 'PowerShell 7\.4 or newer'
        $reason | Should -Match $why
        $reason | Should -Match ([regex]::Escape($framework))
        $check.Invoke($null, @('.NET 8.0.22', [version]'8.0.22')) | Should -BeNullOrEmpty
    }

    It 'keeps the server''s dependencies out of the assemblies Windows PowerShell 5.1 loads' {
        # What Windows PowerShell 5.1 loads is the module's Desktop folder.
        $module = Join-Path (Split-Path $env:SMTPPS_MODULE) 'Desktop'
        Join-Path $module 'SmtpPs.Testing.Engine.dll' | Should -Not -Exist
        Join-Path $module 'SmtpServer.dll' | Should -Not -Exist
        foreach ($name in 'SmtpPs', 'SmtpPs.Core', 'SmtpPs.Testing') {
            $assembly = [System.Reflection.Metadata.MetadataReader]
            $file = [System.IO.File]::OpenRead((Join-Path $module "$name.dll"))
            try {
                $pe = [System.Reflection.PortableExecutable.PEReader]::new($file)
                $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
                $references = @($reader.AssemblyReferences | ForEach-Object { $reader.GetString($reader.GetAssemblyReference($_).Name) })
                $references | Should -Not -Contain 'SmtpServer' -Because "$name must load without the engine"
                $references | Should -Not -Contain 'System.IO.Pipelines' -Because "$name must load without the engine"
                $references | Should -Not -Contain 'SmtpPs.Testing.Engine' -Because 'the engine is loaded by name'
                $references | Should -Contain 'netstandard' -Because "$name targets netstandard2.0"
                $pe.Dispose()
            }
            finally { $file.Dispose() }
        }
        # PowerShell 7 has them, in Core.
        $core = Join-Path (Split-Path $env:SMTPPS_MODULE) 'Core'
        Test-Path (Join-Path $core 'SmtpPs.Testing.Engine.dll') | Should -BeTrue
        Test-Path (Join-Path $core 'SmtpServer.dll') | Should -BeTrue
    }

    It '<cmdlet> has help with a description and examples' -TestCases @(
        'Start-SmtpTestServer', 'Stop-SmtpTestServer', 'Get-SmtpTestServer', 'Get-SmtpTestMessage', 'Clear-SmtpTestMessage',
        'Get-SmtpTestTransaction', 'Add-SmtpTestFault', 'Get-SmtpTestFault', 'Clear-SmtpTestFault' | ForEach-Object { @{ cmdlet = $_ } }
    ) {
        param($cmdlet)
        $help = Get-Help $cmdlet -Full
        $help.Synopsis | Should -Not -BeLike "$cmdlet*"
        $help.description.Text | Should -Not -BeNullOrEmpty
        @($help.examples.example).Count | Should -BeGreaterThan 0
    }

    It 'has an about topic on testing mail scripts with Pester' {
        (Get-Help about_SmtpPs_Testing) -join "`n" | Should -Match 'Start-SmtpTestServer'
    }
}

Describe 'Messages sent by Send-RawSmtpMail' {
    BeforeAll {
        $script:server = Start-SmtpTestServer
    }
    AfterAll { $server | Stop-SmtpTestServer }
    AfterEach { $server | Clear-SmtpTestMessage; $server | Clear-SmtpTestFault }

    It 'are captured byte for byte, in order, from one pipelined connection with BDAT' {
        $files = 1..3 | ForEach-Object { New-MessageFile -Text ($message -replace 'second line', "message $_") }
        $results = Send-RawSmtpMail -LiteralPath $files -From ops@example.org -To team@example.org, boss@example.org -Server 127.0.0.1 -Port $server.Port -PassThru | Get-Result
        $results.Status | Should -Be @('Delivered', 'Delivered', 'Delivered')
        $captured = @(Get-SmtpTestMessage -Count 3)
        for ($i = 0; $i -lt 3; $i++) {
            Get-Latin1Text $captured[$i].Raw | Should -BeExactly (Get-Latin1Text ([System.IO.File]::ReadAllBytes($files[$i])))
            $captured[$i].QueueId | Should -Be $results[$i].QueueId
        }
        $captured.MailFrom | Should -Be (@('ops@example.org') * 3)
        $captured[0].RcptTo | Should -Be @('team@example.org', 'boss@example.org')
        $captured[0].Subject | Should -Be 'Übersicht'
        $captured[0].From | Should -Be 'ops@example.org'
        $captured[0].TextBody | Should -Match '^\.a line that starts with a dot'
        @($server.Connections).Count | Should -Be 1
        $transcript = $server.Connections[0].Transcript | Where-Object Kind -eq 'Client'
        @($transcript | Where-Object Text -like 'BDAT * LAST').Count | Should -Be 3
        $captured[0].MailParameters['SIZE'] | Should -Be ([System.IO.File]::ReadAllBytes($files[0]).Length)
    }

    It 'are captured byte for byte over DATA, dot-stuffing removed, when CHUNKING is off' {
        $plain = Start-SmtpTestServer -DisableExtension Chunking
        try {
            $file = New-MessageFile -Text $message
            $null = Send-RawSmtpMail -Path $file -From ops@example.org -To team@example.org -Server 127.0.0.1 -Port $plain.Port
            Get-Latin1Text (Get-SmtpTestMessage -Server $plain -Count 1).Raw | Should -BeExactly $message
            $plain.Connections[0].Transcript.Text | Should -Contain 'DATA'
            $plain.Connections[0].Transcript.Text | Should -Not -Contain 'CHUNKING' -Because 'EHLO must not offer it'
        }
        finally { $plain | Stop-SmtpTestServer }
    }

    It 'keep 8-bit content and record BODY=8BITMIME' {
        $bytes = Get-Latin1Bytes "Subject: caf`u{e9}`r`n`r`nna`u{ef}ve caf`u{e9} `u{ff}`r`n"
        $null = Send-RawSmtpMail -Path (New-MessageFile -Bytes $bytes) -From ops@example.org -To team@example.org -Server 127.0.0.1 -Port $server.Port
        $captured = Get-SmtpTestMessage -Count 1
        [Convert]::ToBase64String($captured.Raw) | Should -Be ([Convert]::ToBase64String($bytes))
        $captured.MailParameters['BODY'] | Should -Be '8BITMIME'
    }

    It 'keep international addresses and record SMTPUTF8' {
        $text = "From: j`u{f6}rg@b`u{fc}ro.example`r`nSubject: Gr`u{fc}`u{df}e`r`n`r`nHallo`r`n"
        $file = New-MessageFile -Bytes ([System.Text.Encoding]::UTF8.GetBytes($text))
        $null = Send-RawSmtpMail -Path $file -From "j`u{f6}rg@b`u{fc}ro.example" -To "m`u{e4}x@example.org" -Server 127.0.0.1 -Port $server.Port
        $captured = Get-SmtpTestMessage -Count 1
        $captured.MailFrom | Should -Be "j`u{f6}rg@b`u{fc}ro.example"
        $captured.RcptTo | Should -Be "m`u{e4}x@example.org"
        $captured.MailParameters.Keys | Should -Contain 'SMTPUTF8'
        $captured.Subject | Should -Be "Gr`u{fc}`u{df}e"
    }

    It 'record the DSN parameters of MAIL and RCPT' {
        $null = Send-RawSmtpMail -Path (New-MessageFile -Text $message) -From ops@example.org -To team@example.org -Server 127.0.0.1 -Port $server.Port `
            -DeliveryNotification Success, Failure -ReturnContent Headers -EnvelopeId 'run+42'
        $captured = Get-SmtpTestMessage -Count 1
        $captured.MailParameters['RET'] | Should -Be 'HDRS'
        $captured.MailParameters['ENVID'] | Should -Be 'run+2B42'
        $captured.Recipients[0].Parameters['NOTIFY'] | Should -Be 'SUCCESS,FAILURE'
        $captured.Recipients[0].Parameters['ORCPT'] | Should -Be 'rfc822;team@example.org'
    }
}

Describe 'TLS and AUTH' {
    It 'captures over <mode> TLS with the certificate pinned by its SHA-256' -TestCases @(
        @{ mode = 'StartTls' }
        @{ mode = 'Implicit' }
    ) {
        param($mode)
        $server = Start-SmtpTestServer -Tls $mode
        try {
            $server.CertificateThumbprint | Should -Match '^[0-9A-F]{64}$'
            $replies = Send-RawSmtpMail -Path (New-MessageFile -Text $message) -From ops@example.org -To team@example.org -Server 127.0.0.1 -Port $server.Port `
                -TlsMode $mode -CertificateThumbprint $server.CertificateThumbprint -ErrorAction Stop
            ($replies | Where-Object { $_ -is [SmtpPs.SmtpReply] -and $_.Tls } | Select-Object -First 1).Tls.CertificateThumbprintSha256 | Should -Be $server.CertificateThumbprint
            $captured = Get-SmtpTestMessage -Server $server -Count 1
            $captured.UsedTls | Should -BeTrue
            $captured.TlsProtocol | Should -BeIn 'Tls12', 'Tls13'
            Get-Latin1Text $captured.Raw | Should -BeExactly $message
        }
        finally { $server | Stop-SmtpTestServer }
    }

    It 'presents the certificate it is given' {
        $certificate = [SmtpPs.TestServer.TestCertificates]::CreateSelfSigned()
        $server = Start-SmtpTestServer -Tls StartTls -Certificate $certificate
        try {
            $server.CertificateThumbprint | Should -Be ([SmtpPs.TestServer.TestCertificates]::Sha256($certificate))
        }
        finally { $server | Stop-SmtpTestServer }
    }

    It 'accepts only the credential it was given, after STARTTLS, and records the user' {
        $server = Start-SmtpTestServer -Tls StartTls -Credential (New-TestCredential alice 'right password')
        try {
            $send = @{ Path = (New-MessageFile -Text $message); From = 'ops@example.org'; To = 'team@example.org'; Server = '127.0.0.1'; Port = $server.Port; CertificateThumbprint = $server.CertificateThumbprint }
            $wrong = Send-RawSmtpMail @send -Credential (New-TestCredential alice 'wrong password') -ErrorAction SilentlyContinue -ErrorVariable failure
            ($wrong | Where-Object Command -like 'AUTH*').Code | Should -Contain 535
            $failure | Should -Not -BeNullOrEmpty
            $null = Send-RawSmtpMail @send -Credential (New-TestCredential alice 'right password') -ErrorAction Stop
            $captured = Get-SmtpTestMessage -Server $server -Count 1
            $captured.AuthenticatedUser | Should -Be 'alice'
            $server.Connections[-1].Transcript.Text | Should -Not -Match 'right password|cmlnaHQgcGFzc3dvcmQ' -Because 'secrets are redacted'
            # Without AUTH, MAIL is refused: the credential is required.
            $reply = Invoke-RawSmtp $server.Port "EHLO x`r`nMAIL FROM:<a@example.org>`r`nQUIT`r`n"
            $reply | Should -Match '(?m)^530 '
        }
        finally { $server | Stop-SmtpTestServer }
    }

    It 'offers AUTH in plain text when TLS is off, and accepts any credential without -Credential' {
        $server = Start-SmtpTestServer
        try {
            $null = Send-RawSmtpMail -Path (New-MessageFile -Text $message) -From ops@example.org -To team@example.org -Server 127.0.0.1 -Port $server.Port `
                -Credential (New-TestCredential bob 'anything') -AllowUnencryptedAuthentication -ErrorAction Stop
            (Get-SmtpTestMessage -Server $server -Count 1).AuthenticatedUser | Should -Be 'bob'
        }
        finally { $server | Stop-SmtpTestServer }
    }
}

Describe 'Messages sent by other clients' {
    BeforeAll {
        $script:server = Start-SmtpTestServer -Tls StartTls
    }
    AfterAll { $server | Stop-SmtpTestServer }
    AfterEach { $server | Clear-SmtpTestMessage }

    It 'are captured from swaks (PIPELINING, STARTTLS, AUTH LOGIN) byte for byte' {
        $file = New-MessageFile -Text $message
        $output = swaks --server "127.0.0.1:$($server.Port)" --from ops@example.org --to team@example.org --pipeline --tls `
            --auth LOGIN --auth-user carol --auth-password secret --data $file 2>&1
        $LASTEXITCODE | Should -Be 0 -Because "$output"
        $captured = Get-SmtpTestMessage -Count 1
        # swaks stuffs the dots (the server takes them out again) and puts a line break of its own after
        # the data, before the final dot: an empty last line, which is what it sent.
        Get-Latin1Text $captured.Raw | Should -BeExactly ($message + "`r`n")
        $server.Connections[-1].Transcript.Text | Should -Contain 'AUTH LOGIN' -Because 'swaks sends the user name after a 334'
        $captured.AuthenticatedUser | Should -Be 'carol'
        $captured.UsedTls | Should -BeTrue
    }

    It 'are captured from Python''s smtplib (STARTTLS, AUTH PLAIN, 8-bit) byte for byte' {
        $code = @'
import smtplib, ssl, sys
context = ssl.create_default_context(); context.check_hostname = False; context.verify_mode = ssl.CERT_NONE
with smtplib.SMTP("127.0.0.1", int(sys.argv[1])) as s:
    s.starttls(context=context)
    s.login("dave", "pw")
    s.sendmail("ops@example.org", ["team@example.org", "cc@example.org"], open(sys.argv[2], "rb").read(), mail_options=["BODY=8BITMIME"])
print("sent")
'@
        $bytes = Get-Latin1Bytes "Subject: python`r`n`r`n.dot first`r`ncaf`u{e9}`r`n"
        $output = Invoke-Python $code @($server.Port, (New-MessageFile -Bytes $bytes))
        "$output" | Should -Be 'sent'
        $captured = Get-SmtpTestMessage -Count 1
        [Convert]::ToBase64String($captured.Raw) | Should -Be ([Convert]::ToBase64String($bytes))
        $captured.RcptTo | Should -Be @('team@example.org', 'cc@example.org')
        $captured.AuthenticatedUser | Should -Be 'dave'
        $captured.MailParameters['BODY'] | Should -Be '8BITMIME'
    }

    It 'are captured from PowerShell''s Send-MailMessage with their attachment' {
        $plain = Start-SmtpTestServer
        try {
            $attachment = Join-Path $TestDrive 'data.bin'
            [System.IO.File]::WriteAllBytes($attachment, [byte[]](0..255))
            Send-MailMessage -SmtpServer 127.0.0.1 -Port $plain.Port -From ops@example.org -To team@example.org -Cc boss@example.org `
                -Subject 'With attachment' -Body 'See attached.' -Attachments $attachment -WarningAction SilentlyContinue -ErrorAction Stop
            $captured = Get-SmtpTestMessage -Server $plain -Count 1
            $captured.RcptTo | Should -Be @('team@example.org', 'boss@example.org')
            $captured.Cc | Should -Be 'boss@example.org'
            $captured.Subject | Should -Be 'With attachment'
            $captured.TextBody.Trim() | Should -Be 'See attached.'
            $captured.Attachments.FileName | Should -Be 'data.bin'
            [Convert]::ToBase64String($captured.Attachments[0].Content) | Should -Be ([Convert]::ToBase64String([byte[]](0..255)))
        }
        finally { $plain | Stop-SmtpTestServer }
    }

    It 'are captured from System.Net.Mail in C#, with HTML and text bodies, over STARTTLS' {
        if (-not ('SmtpPsTests.NetMailClient' -as [type])) {
            Add-Type -TypeDefinition @'
#pragma warning disable SYSLIB0014 // SmtpClient still takes its certificate check from ServicePointManager.
using System.Net.Mail;
using System.Net.Mime;
namespace SmtpPsTests {
    public static class NetMailClient {
        public static void Send(int port, string thumbprint) {
            System.Net.ServicePointManager.ServerCertificateValidationCallback = (s, c, ch, e) =>
                System.Convert.ToHexString(System.Security.Cryptography.SHA256.HashData(c.GetRawCertData())) == thumbprint;
            using var client = new SmtpClient("127.0.0.1", port) { EnableSsl = true };
            using var message = new MailMessage("ops@example.org", "team@example.org") { Subject = "Both bodies" };
            message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString("plain words", null, MediaTypeNames.Text.Plain));
            message.AlternateViews.Add(AlternateView.CreateAlternateViewFromString("<p>html words</p>", null, MediaTypeNames.Text.Html));
            client.Send(message);
        }
    }
}
'@
        }
        try { [SmtpPsTests.NetMailClient]::Send($server.Port, $server.CertificateThumbprint) }
        finally { [System.Net.ServicePointManager]::ServerCertificateValidationCallback = $null }
        $captured = Get-SmtpTestMessage -Count 1
        $captured.Subject | Should -Be 'Both bodies'
        $captured.TextBody | Should -Match 'plain words'
        $captured.HtmlBody | Should -Match '<p>html words</p>'
        $captured.UsedTls | Should -BeTrue
    }
}

Describe 'The wire, as a client writes it' {
    BeforeAll {
        $script:server = Start-SmtpTestServer
    }
    AfterAll { $server | Stop-SmtpTestServer }
    AfterEach { $server | Clear-SmtpTestMessage }

    It 'reassembles BDAT chunks exactly, with no line break added' {
        $reply = Invoke-RawSmtp $server.Port ("EHLO raw`r`nMAIL FROM:<a@example.org>`r`nRCPT TO:<b@example.org>`r`n" +
            "BDAT 14`r`nSubject: x`r`n`r`nBDAT 9`r`n.no CRLF`nBDAT 0 LAST`r`nQUIT`r`n")
        $reply | Should -Match '(?m)^250 2\.0\.0 14 octets received'
        $reply | Should -Match '(?m)^250 2\.0\.0 Ok: queued as'
        Get-Latin1Text (Get-SmtpTestMessage -Count 1).Raw | Should -BeExactly "Subject: x`r`n`r`n.no CRLF`n"
    }

    It 'unstuffs a dot on the first line of DATA and ends an empty message' {
        $reply = Invoke-RawSmtp $server.Port ("EHLO raw`r`nMAIL FROM:<a@example.org>`r`nRCPT TO:<b@example.org>`r`nDATA`r`n..first`r`n.`r`n" +
            "MAIL FROM:<a@example.org>`r`nRCPT TO:<c@example.org>`r`nDATA`r`n.`r`nQUIT`r`n")
        @([regex]::Matches($reply, '(?m)^250 2\.0\.0 Ok')).Count | Should -Be 2
        $captured = @(Get-SmtpTestMessage -Count 2)
        Get-Latin1Text $captured[0].Raw | Should -BeExactly ".first`r`n"
        $captured[1].Raw.Length | Should -Be 0
    }

    It 'refuses <parameter> on <command> when its extension is off' -TestCases @(
        @{ command = 'MAIL'; parameter = 'RET=HDRS'; off = 'Dsn'; line = 'MAIL FROM:<a@example.org> RET=HDRS' }
        @{ command = 'MAIL'; parameter = 'BODY=8BITMIME'; off = 'EightBitMime'; line = 'MAIL FROM:<a@example.org> BODY=8BITMIME' }
        @{ command = 'MAIL'; parameter = 'SMTPUTF8'; off = 'SmtpUtf8'; line = 'MAIL FROM:<a@example.org> SMTPUTF8' }
        @{ command = 'MAIL'; parameter = 'an unknown parameter'; off = 'Dsn'; line = 'MAIL FROM:<a@example.org> XYZZY=1' }
    ) {
        param($off, $line)
        $limited = Start-SmtpTestServer -DisableExtension $off
        try {
            $reply = Invoke-RawSmtp $limited.Port "EHLO raw`r`n$line`r`nQUIT`r`n"
            $reply | Should -Match '(?m)^555 5\.5\.4 '
            (Get-SmtpTestTransaction -Server $limited).Outcome | Should -Be 'Refused'
        }
        finally { $limited | Stop-SmtpTestServer }
    }

    It 'advertises only what is left when extensions are turned off' {
        $limited = Start-SmtpTestServer -DisableExtension Pipelining, Chunking, Dsn, Size, SmtpUtf8, EightBitMime, Auth
        try {
            $reply = Invoke-RawSmtp $limited.Port "EHLO raw`r`nBDAT 3 LAST`r`nabcQUIT`r`n"
            $reply | Should -Not -Match 'PIPELINING|CHUNKING|DSN|SIZE|SMTPUTF8|8BITMIME|AUTH'
            $reply | Should -Match '(?m)^502 5\.5\.1 BDAT'
        }
        finally { $limited | Stop-SmtpTestServer }
    }
}

Describe 'Get-SmtpTestMessage and its friends' {
    BeforeAll {
        $script:server = Start-SmtpTestServer
        foreach ($n in 1..3) {
            $file = New-MessageFile -Text "Subject: report $n`r`n`r`nbody`r`n"
            $null = Send-RawSmtpMail -Path $file -From "sender$n@example.org" -To "rcpt$n@example.org" -Server 127.0.0.1 -Port $server.Port
        }
    }
    AfterAll { $server | Stop-SmtpTestServer }

    It 'filters by <name>' -TestCases @(
        @{ name = 'recipient'; filter = @{ To = 'rcpt2@*' }; expected = @(2) }
        @{ name = 'sender'; filter = @{ From = 'sender3@example.org' }; expected = @(3) }
        @{ name = 'subject'; filter = @{ Subject = 'report [12]' }; expected = @(1, 2) }
        @{ name = 'nothing'; filter = @{}; expected = @(1, 2, 3) }
    ) {
        param($filter, $expected)
        ($server | Get-SmtpTestMessage @filter).Number | Should -Be $expected
    }

    It 'waits for a sender that works in the background' {
        $port = $server.Port
        $job = Start-ThreadJob -ScriptBlock {
            Import-Module $using:env:SMTPPS_MODULE
            Start-Sleep -Milliseconds 500
            $file = Join-Path ([System.IO.Path]::GetTempPath()) "late-$([guid]::NewGuid()).eml"
            Set-Content -LiteralPath $file -Value "Subject: late`r`n`r`nlate`r`n" -NoNewline
            Send-RawSmtpMail -Path $file -From late@example.org -To late@example.org -Server 127.0.0.1 -Port $using:port
            Remove-Item -LiteralPath $file
        }
        try {
            $late = $server | Get-SmtpTestMessage -Subject late -Count 1 -TimeoutSec 30
            $late.MailFrom | Should -Be 'late@example.org'
        }
        finally { $job | Wait-Job | Remove-Job -Force }
    }

    It 'says so, and returns what came, when fewer messages arrive than asked for' {
        $got = $server | Get-SmtpTestMessage -To 'rcpt1@*' -Count 2 -TimeoutSec 1 -ErrorVariable failure -ErrorAction SilentlyContinue
        @($got).Count | Should -Be 1
        $failure[0].FullyQualifiedErrorId | Should -Be 'SmtpTestMessageTimeout,SmtpPs.Commands.Testing.GetSmtpTestMessageCommand'
        $failure[0].CategoryInfo.Category | Should -Be 'OperationTimeout'
        $failure[0].TargetObject | Should -Be $server
    }

    It 'saves a message as an .eml file with its octets' {
        $message = $server | Get-SmtpTestMessage -To 'rcpt1@*'
        $path = Join-Path $TestDrive 'saved.eml'
        $message.Save($path)
        [System.IO.File]::ReadAllBytes($path) | Should -Be $message.Raw
    }

    It 'shows messages, transactions and servers as tables' {
        foreach ($type in 'SmtpPs.SmtpTestServer', 'SmtpPs.SmtpTestMessage', 'SmtpPs.SmtpTestTransaction', 'SmtpPs.SmtpTestFault') {
            (Get-FormatData -TypeName $type).FormatViewDefinition[0].Control | Should -BeOfType System.Management.Automation.TableControl
        }
        ($server | Get-SmtpTestMessage | Out-String) | Should -Match 'report 1'
    }

    It 'forgets messages and transactions when cleared, and clears nothing with -WhatIf' {
        $server | Clear-SmtpTestMessage -WhatIf
        @($server | Get-SmtpTestMessage).Count | Should -BeGreaterThan 0
        $server | Clear-SmtpTestMessage
        $server | Get-SmtpTestMessage | Should -BeNullOrEmpty
        $server | Get-SmtpTestTransaction | Should -BeNullOrEmpty
    }
}

Describe 'Should -HaveReceivedMail' {
    It 'asserts, turns round with -Not, and says what arrived, on Pester <version>' -TestCases @(
        @{ version = '5.7.1' }
        @{ version = '6.2.0' }
    ) {
        param($version)
        $tests = Join-Path $TestDrive "Operator-$version.Tests.ps1"
        @'
BeforeAll {
    Import-Module SmtpPs
    $server = Start-SmtpTestServer
    $file = Join-Path $TestDrive 'alert.eml'
    Set-Content -LiteralPath $file -NoNewline -Value "Subject: Disk alert`r`n`r`nbody`r`n"
    $null = Send-RawSmtpMail -Path $file -From monitor@example.org -To oncall@example.org -Server 127.0.0.1 -Port $server.Port
}
AfterAll { $server | Stop-SmtpTestServer }
Describe 'Should -HaveReceivedMail' {
    It 'passes for a matching message' { $server | Should -HaveReceivedMail -To 'oncall@*' -From monitor@example.org -Subject 'Disk*' -Times 1 }
    It 'passes with -Not when nothing matches' { $server | Should -Not -HaveReceivedMail -To 'nobody@*' }
    It 'takes messages as well as servers' { $server.Messages | Should -HaveReceivedMail -Subject 'Disk alert' }
    It 'fails and lists what arrived' {
        { $server | Should -HaveReceivedMail -To 'boss@example.org' } |
            Should -Throw "Expected a message to 'boss@example.org', but the server received 1 message(s): #1 <monitor@example.org> to oncall@example.org: 'Disk alert'."
    }
    It 'fails with -Not when a message matches' { { $server | Should -Not -HaveReceivedMail -Subject 'Disk*' } | Should -Throw '*1 of the 1 message(s)*matched*' }
    It 'counts with -Times' { { $server | Should -HaveReceivedMail -Times 2 } | Should -Throw 'Expected 2 message(s), but*' }
    It 'leaves the caller''s variables alone' { Get-Variable -Name test -Scope 0 -ErrorAction Ignore | Should -BeNullOrEmpty }
}
'@ | Set-Content -LiteralPath $tests
        $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
        $runner = Join-Path $TestDrive "run-operator-$version.ps1"
        @"
Import-Module '$(Join-Path $packages "pester/$version/tools/Pester.psd1")'
`$result = Invoke-Pester -Path '$tests' -PassThru -Output None
`$result.Failed | ForEach-Object { "`$(`$_.ExpandedName): `$(`$_.ErrorRecord)" }
"`$(`$result.PassedCount) passed, `$(`$result.FailedCount) failed"
"@ | Set-Content -LiteralPath $runner
        $output = @(Invoke-FreshPwsh $runner)
        $output[-1] | Should -Be '7 passed, 0 failed' -Because "$output"
    }
}
