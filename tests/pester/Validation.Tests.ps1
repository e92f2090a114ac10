BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:cmdletId = 'SmtpPs.Commands.SendRawSmtpMailCommand'
    $script:file = New-MessageFile -Text "Subject: t`r`n`r`nbody`r`n"
}

Describe 'Parameters are checked before any connection' {
    BeforeEach {
        # A server that would accept anything: every test asserts that it saw no connection at all.
        $script:server = Start-ScriptedServer (Get-HappyScript)
        $script:target = @{ Server = '127.0.0.1'; Port = $server.Port }
    }
    AfterEach {
        $server.Dispose()
    }

    It 'refuses the sender <name>' -TestCases @(
        @{ name = 'with CRLF and a smuggled command'; value = "a@b.org>`r`nRCPT TO:<x@y.org" }
        @{ name = 'with a bare LF'; value = "a@b.org`nDATA" }
        @{ name = 'with a NUL'; value = "a@b.org`0" }
        @{ name = 'with CR inside a quoted local part'; value = "`"a`r`nDATA`"@b.org" }
        @{ name = 'in angle brackets'; value = '<a@b.org>' }
        @{ name = 'with a space'; value = 'a b@c.org' }
        @{ name = 'with a 65-octet local part'; value = ('x' * 65) + '@example.org' }
        @{ name = 'without a domain'; value = 'nobody' }
        @{ name = 'over 256 octets with its brackets'; value = ('l' * 64) + '@' + (('d' * 60 + '.') * 3) + ('d' * 10) + '.org' }
        @{ name = 'with a C1 control character'; value = "j`u{85}rg@example.org" }
    ) {
        param($name, $value)
        $thrown = { Send-RawSmtpMail -Path $file -From $value -To ok@example.org @target } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidSenderAddress,$cmdletId"
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $thrown.TargetObject | Should -BeExactly $value
        $server.ConnectionCount | Should -Be 0
    }

    It 'refuses the recipient <name>' -TestCases @(
        @{ name = 'with CRLF'; value = "b@c.org`r`nDATA" }
        @{ name = 'in angle brackets'; value = 'b@c.org>' }
        @{ name = 'that is empty'; value = '' }
        @{ name = 'with an empty domain label'; value = 'b@c..org' }
    ) {
        param($name, $value)
        $thrown = { Send-RawSmtpMail -Path $file -From a@example.org -To ok@example.org, $value @target } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidRecipientAddress,$cmdletId"
        $thrown.TargetObject | Should -BeExactly $value
        $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $server.ConnectionCount | Should -Be 0
    }

    It 'accepts Postmaster without a domain and the null sender' {
        $null = Send-RawSmtpMail -Path $file -From '' -To Postmaster @target
        $null = $server.WaitForClose()
        $server.Commands | Should -Contain 'RCPT TO:<Postmaster>'
        $server.Commands | Should -Contain 'MAIL FROM:<>'
    }

    It 'refuses the HELO name <value>' -TestCases @(
        @{ value = "host`r`nMAIL FROM:<x@y>" }
        @{ value = 'host name' }
        @{ value = '[999.1.1.1]' }
        @{ value = 'under_score.example' }
    ) {
        param($value)
        $thrown = { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -HeloName $value @target } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidHeloName,$cmdletId"
        $thrown.TargetObject | Should -BeExactly $value
        $server.ConnectionCount | Should -Be 0
    }

    It 'sends a given HELO name <value>' -TestCases @(@{ value = 'mail.example.org' }, @{ value = '[192.0.2.1]' }, @{ value = '[IPv6:2001:db8::1]' }) {
        param($value)
        $null = Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -HeloName $value @target
        $null = $server.WaitForClose()
        $server.Commands[0] | Should -BeExactly "EHLO $value"
    }

    It 'refuses a server name with a space or line break' {
        $thrown = { Send-RawSmtpMail -Path $file -From a@example.org -To b@example.org -Server "127.0.0.1`r`nx" -Port $server.Port } | Should -Throw -PassThru
        $thrown.FullyQualifiedErrorId | Should -Be "InvalidServerName,$cmdletId"
    }

    Context 'message files' {
        It 'refuses <name> as <id>' -TestCases @(
            @{ name = 'a missing file'; id = 'MessageFileNotFound'; make = { Join-Path $TestDrive 'missing.eml' } }
            @{ name = 'a directory'; id = 'MessageFileIsDirectory'; make = { $d = Join-Path $TestDrive 'adir'; $null = New-Item -ItemType Directory $d -Force; $d } }
            @{ name = 'an empty file'; id = 'MessageFileEmpty'; make = { $f = Join-Path $TestDrive 'empty.eml'; [System.IO.File]::WriteAllBytes($f, @()); $f } }
            @{ name = 'a wildcard that matches nothing'; id = 'MessageFileNotFound'; make = { Join-Path $TestDrive 'nothing-*.eml' } }
            @{ name = 'a path on another provider'; id = 'MessageFileNotOnFileSystem'; make = { 'Env:PATH' } }
        ) {
            param($name, $id, $make)
            $path = & $make
            $thrown = { Send-RawSmtpMail -Path $path -From a@example.org -To b@example.org @target -ErrorAction Stop } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be "$id,$cmdletId"
            $thrown.CategoryInfo.Category | Should -Be 'InvalidArgument'
            $thrown.TargetObject | Should -Be $path
            $server.ConnectionCount | Should -Be 0
        }

        It 'refuses an unreadable file' -Skip:($IsWindows -or ((id -u) -eq 0)) {
            # Root reads every file, so this runs only for an ordinary user (not in CI, which runs as root).
            $f = New-MessageFile -Text 'x'
            chmod 000 $f
            $thrown = { Send-RawSmtpMail -Path $f -From a@example.org -To b@example.org @target -ErrorAction Stop } | Should -Throw -PassThru
            $thrown.FullyQualifiedErrorId | Should -Be "MessageFileUnreadable,$cmdletId"
        }

        It 'refuses a missing file among others without stopping the batch, and gives every file its result' {
            $missing = Join-Path $TestDrive 'not-there.eml'
            $output = Send-RawSmtpMail -Path $missing, $file -From a@example.org -To b@example.org @target -ResultOnly -ErrorVariable errors -ErrorAction SilentlyContinue
            $errors.FullyQualifiedErrorId | Should -Be @("MessageFileNotFound,$cmdletId")
            $output.Path | Should -Be @($missing, $file)
            $output.Status | Should -Be @('NotDelivered', 'Delivered')
            $output[0].Reason | Should -Match 'Cannot find the message file'
        }
    }
}
