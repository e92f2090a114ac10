BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MimeTestHelpers.psm1') -Force
    $script:testId = 'SmtpPs.Commands.TestMimeMessageCommand'
    # A message that passes every rule; the bad ones below each break one.
    $script:good = "From: Ops <ops@example.org>`r`nTo: team@example.org`r`nSubject: Status`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <status-1@example.org>`r`n`r`nAll good.`r`n"
}

Describe 'Test-MimeMessage finds each problem, with its rule and line' {
    It 'finds <rule> on line <line> in <case>' -TestCases @(
        @{ case = 'a message without From'; text = "To: b@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'FromMissing'; line = $null; severity = 'Error' }
        @{ case = 'two From fields'; text = "From: a@example.org`r`nFrom: c@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'FromDuplicated'; line = 2; severity = 'Error' }
        @{ case = 'two authors without Sender'; text = "From: a@example.org, c@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'SenderRequired'; line = 1; severity = 'Error' }
        @{ case = 'a message without Date'; text = "From: a@example.org`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'DateMissing'; line = $null; severity = 'Error' }
        @{ case = 'a Date that is no date'; text = "From: a@example.org`r`nDate: yesterday`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'DateMalformed'; line = 2; severity = 'Error' }
        @{ case = 'a message without Message-ID'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`n`r`nx`r`n"; rule = 'MessageIdMissing'; line = $null; severity = 'Warning' }
        @{ case = 'a Message-ID without brackets'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: a@example.org`r`n`r`nx`r`n"; rule = 'MessageIdMalformed'; line = 3; severity = 'Error' }
        @{ case = 'an unquoted display name with a comma'; text = "From: a@example.org`r`nTo: Doe, John <j@example.org>`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'AddressMalformed'; line = 2; severity = 'Error' }
        @{ case = 'a From without a domain'; text = "From: root`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'AddressMalformed'; line = 1; severity = 'Error' }
        @{ case = 'two Subject fields'; text = "From: a@example.org`r`nSubject: one`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nSubject: two`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'HeaderDuplicated'; line = 4; severity = 'Error' }
        @{ case = 'two Message-ID fields'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`nMessage-ID: <b@example.org>`r`n`r`nx`r`n"; rule = 'HeaderDuplicated'; line = 4; severity = 'Error' }
        @{ case = 'a body without the empty line before it'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`nHello there`r`n"; rule = 'HeaderLineMalformed'; line = 4; severity = 'Error' }
        @{ case = 'an mbox From_ line first'; text = "From a@example.org Tue Jul  1 10:00:00 2025`r`nFrom: a@example.org`r`n`r`nx`r`n"; rule = 'HeaderLineMalformed'; line = 1; severity = 'Error' }
        @{ case = 'a raw UTF-8 subject'; text = "From: a@example.org`r`nSubject: Café`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; utf8 = $true; rule = 'HeaderEightBit'; line = 2; severity = 'Error' }
        @{ case = 'a Latin-1 subject'; text = "From: a@example.org`r`nSubject: Caf$([char]0xE9)`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'HeaderEightBit'; line = 2; severity = 'Error' }
        @{ case = 'a body line of 999 octets'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nshort`r`n" + ('x' * 999) + "`r`nend`r`n"; rule = 'LineTooLong'; line = 6; severity = 'Error' }
        @{ case = 'a header line of 1200 octets'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`nX-Long: " + ('y' * 1200) + "`r`n`r`nx`r`n"; rule = 'LineTooLong'; line = 4; severity = 'Error' }
        @{ case = 'a long line ending in LF only'; text = "From: a@example.org`nDate: Tue, 01 Jul 2025 10:00:00 +0200`nMessage-ID: <a@example.org>`n`n" + ('z' * 1001) + "`n"; rule = 'LineTooLong'; line = 5; severity = 'Error' }
        @{ case = 'a Bcc field in a raw file'; text = "From: a@example.org`r`nTo: b@example.org`r`nBcc: secret@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <a@example.org>`r`n`r`nx`r`n"; rule = 'BccPresent'; line = 3; severity = 'Warning' }
    ) {
        param($case, $text, $utf8, $rule, $line, $severity)
        $bytes = if ($utf8) { [System.Text.Encoding]::UTF8.GetBytes($text) } else { Get-Latin1Bytes $text }
        $file = New-MessageFile -Bytes $bytes
        $findings = @(Test-MimeMessage -LiteralPath $file)
        $finding = @($findings | Where-Object Rule -EQ $rule)
        $finding.Count | Should -Be 1 -Because "$case breaks $rule once (found: $($findings.Rule -join ', '))"
        $finding[0].Line | Should -Be $line
        $finding[0].Severity | Should -Be $severity
        $finding[0].Reference | Should -Match '^RFC 5322 \d'
        $finding[0].Path | Should -Be $file
        $finding[0].Source | Should -Be $file
        $finding[0].Message | Should -Not -BeNullOrEmpty
    }

    It 'derives the line limit from RFC 5322''s 998 octets: 998 passes, 999 does not' {
        $ok = New-MessageFile -Text ($good + ('x' * 998) + "`r`n")
        $long = New-MessageFile -Text ($good + ('x' * 999) + "`r`n")
        Test-MimeMessage -LiteralPath $ok | Should -BeNullOrEmpty
        (Test-MimeMessage -LiteralPath $long).Rule | Should -Be 'LineTooLong'
    }

    It 'reports every problem of a file, whole-message ones first and then by line' {
        $file = New-MessageFile -Text "Subject: a`r`nSubject: b`r`nTo: Doe, J <j@example.org>`r`n`r`n$('x' * 1000)`r`n"
        $findings = Test-MimeMessage -Path $file
        $findings.Rule | Should -Be @('FromMissing', 'DateMissing', 'MessageIdMissing', 'HeaderDuplicated', 'AddressMalformed', 'LineTooLong')
        $findings.Line | Should -Be @($null, $null, $null, 2, 3, 5)
    }
}

Describe 'Test-MimeMessage finds nothing in good messages' {
    It 'finds nothing in <case>' -TestCases @(
        @{ case = 'a minimal good message'; text = $null }
        @{ case = 'folded fields, a group, comments and obsolete forms'; text = "From: ""J. Doe"" (work) <j@example.org>`r`nTo: undisclosed-recipients:;`r`nCc: A. Person <a@example.org>,`r`n  b@example.org`r`nSubject: a long subject`r`n folded onto a second line`r`nDate: 1 Jul 2025 10:00 GMT`r`nMessage-ID: <x.1@[192.0.2.1]>`r`nBcc:`r`n`r`nbody`r`n" }
        @{ case = 'a message with LF line ends'; text = "From: a@example.org`nDate: Tue, 01 Jul 2025 10:00:00 +0200`nMessage-ID: <lf@example.org>`n`nbody`n" }
        @{ case = 'UTF-8 headers in a message with a UTF-8 address (SMTPUTF8)'; text = "From: José <josé@example.org>`r`nSubject: Ça va`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <u@example.org>`r`n`r`nbody`r`n"; utf8 = $true }
        @{ case = 'a message without a body'; text = "From: a@example.org`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <nobody@example.org>`r`n" }
    ) {
        param($case, $text, $utf8)
        if (-not $text) { $text = $good }
        $bytes = if ($utf8) { [System.Text.Encoding]::UTF8.GetBytes($text) } else { Get-Latin1Bytes $text }
        Test-MimeMessage -LiteralPath (New-MessageFile -Bytes $bytes) | Should -BeNullOrEmpty
    }

    It 'finds nothing in what New-MimeMessage makes: <case>' -TestCases @(
        @{ case = 'a plain text message'; parameters = @{ Body = 'Hello' } }
        @{ case = 'non-ASCII everywhere, HTML, an inline image and attachments'; parameters = @{ Subject = "Rapport d’été"; Body = ('Ligne très longue ' * 100); HtmlBody = '<p>été <img src="cid:logo"></p>'; InlineImage = @{ logo = 'IMAGE' }; Attachments = 'FILE'; Cc = 'Zoë <z@example.org>'; Bcc = 'hidden@example.org' } }
        @{ case = 'an international address'; parameters = @{ To = 'Jürgen <jürgen@example.org>'; Subject = 'Grüße' } }
        @{ case = 'extra fields and a priority'; parameters = @{ Priority = 'High'; Header = @{ 'X-Long' = ('word ' * 400); 'References' = (1..40 | ForEach-Object { "<ref-$_@example.org>" }) -join ' ' } } }
    ) {
        param($case, $parameters)
        $binary = New-TestBinaryFile -Name 'lint.bin' -Length 200000
        if ($parameters.InlineImage) { $parameters.InlineImage = @{ logo = $binary } }
        if ($parameters.Attachments) { $parameters.Attachments = $binary }
        if (-not $parameters.To) { $parameters.To = 'team@example.org' }
        $message = New-MimeMessage -From 'Zoë Dupré <zoe@example.org>' @parameters -WarningAction SilentlyContinue
        $message | Test-MimeMessage | Should -BeNullOrEmpty
        $file = Join-Path $TestDrive 'composed-lint.eml'
        $message | Save-MimeMessage -Path $file -Force
        Test-MimeMessage -LiteralPath $file | Should -BeNullOrEmpty
    }
}

Describe 'Test-MimeMessage takes files and message objects' {
    BeforeAll {
        $script:bad = "Subject: no author`r`nDate: Tue, 01 Jul 2025 10:00:00 +0200`r`nMessage-ID: <bad@example.org>`r`n`r`nx`r`n"
    }

    It 'takes files piped from Get-ChildItem and wildcards in -Path' {
        $folder = Join-Path $TestDrive 'lintdir'
        $null = New-Item -ItemType Directory $folder -Force
        [System.IO.File]::WriteAllText((Join-Path $folder 'good.eml'), $good)
        [System.IO.File]::WriteAllText((Join-Path $folder 'bad.eml'), $bad)
        (Get-ChildItem $folder -Filter *.eml | Test-MimeMessage).Path | Should -Be @((Join-Path $folder 'bad.eml'))
        (Test-MimeMessage -Path (Join-Path $folder '*.eml')).Rule | Should -Be @('FromMissing')
        ((Join-Path $folder 'bad.eml') | Test-MimeMessage).Rule | Should -Be @('FromMissing')
    }

    It 'checks a <kind> given as -InputObject and names it by its Message-ID' -TestCases @(
        @{ kind = 'string'; make = { $bad } }
        @{ kind = 'byte[]'; make = { , [System.Text.Encoding]::ASCII.GetBytes($bad) } }
        @{ kind = 'captured message with a Raw property'; make = { [pscustomobject]@{ From = 'x'; Raw = [System.Text.Encoding]::ASCII.GetBytes($bad) } } }
    ) {
        param($kind, $make)
        $value = & $make
        $finding = Test-MimeMessage -InputObject $value
        $finding.Rule | Should -Be 'FromMissing'
        $finding.Source | Should -Be '<bad@example.org>'
        $finding.Path | Should -BeNullOrEmpty
    }

    It 'checks a composed message as it goes on the wire, so its Bcc is no finding' {
        $message = New-MimeMessage -From a@example.org -To b@example.org -Bcc c@example.org
        $message | Test-MimeMessage | Should -BeNullOrEmpty
        $message.MimeMessage | Test-MimeMessage | Should -BeNullOrEmpty
    }

    It 'checks a MimeKit message made by other code' {
        $null = New-MimeMessage -From a@example.org -To b@example.org   # MimeKit is loaded by the MIME cmdlets
        $mime = [MimeKit.MimeMessage]::new()
        $mime.Headers.Clear()
        $mime.To.Add([MimeKit.MailboxAddress]::new('B', 'b@example.org'))
        $mime.Body = [MimeKit.TextPart]::new('plain')
        $findings = $mime | Test-MimeMessage
        $findings.Rule | Should -Be @('FromMissing', 'DateMissing', 'MessageIdMissing')
    }

    It 'writes a non-terminating error for <case> and goes on with the next one' -TestCases @(
        @{ case = 'a missing file'; call = { Test-MimeMessage -Path './no-such.eml', $args[0] -ErrorVariable e -ErrorAction SilentlyContinue; $e }; errorId = 'MessageFileNotFound'; category = 'ObjectNotFound' }
        @{ case = 'an object that is no message'; call = { Test-MimeMessage -InputObject (Get-Date) -ErrorVariable e -ErrorAction SilentlyContinue; Test-MimeMessage -LiteralPath $args[0]; $e }; errorId = 'UnsupportedInputObject'; category = 'InvalidArgument' }
    ) {
        param($case, $call, $errorId, $category)
        $badFile = New-MessageFile -Text $bad
        $output = @(& $call $badFile)
        $errors = @($output | Where-Object { $_ -is [System.Management.Automation.ErrorRecord] })
        $errors.Count | Should -Be 1
        $errors[0].FullyQualifiedErrorId | Should -Be "$errorId,$testId"
        $errors[0].CategoryInfo.Category | Should -Be $category
        ($output | Where-Object { $_ -is [SmtpPs.MessageLintFinding] }).Rule | Should -Be 'FromMissing'
    }

    It 'shows findings as a table of severity, rule, line, source and message' {
        $file = New-MessageFile -Text $bad -Name 'view.eml'
        $table = Test-MimeMessage -LiteralPath $file | Format-Table | Out-String -Width 100
        $table | Should -Match 'Severity\s+Rule\s+Line\s+Source\s+Message'
        $table | Should -Match 'Error\s+FromMissing\s+view\.eml\s+The message has no From'
    }

    It 'checks a 300 MB file through a fixed-size buffer' {
        $file = Join-Path $TestDrive 'big.eml'
        $stream = [System.IO.File]::Create($file)
        try {
            $header = [System.Text.Encoding]::ASCII.GetBytes($good)
            $stream.Write($header, 0, $header.Length)
            $line = [System.Text.Encoding]::ASCII.GetBytes(('a' * 76) + "`r`n")
            $block = [byte[]]::new($line.Length * 8192)
            for ($i = 0; $i -lt 8192; $i++) { [Array]::Copy($line, 0, $block, $i * $line.Length, $line.Length) }
            for ($i = 0; $i -lt 470; $i++) { $stream.Write($block, 0, $block.Length) }
        }
        finally { $stream.Dispose() }
        [GC]::Collect()
        $before = [GC]::GetTotalMemory($true)
        Test-MimeMessage -LiteralPath $file | Should -BeNullOrEmpty
        ([GC]::GetTotalMemory($false) - $before) / 1MB | Should -BeLessThan 64
    }
}
