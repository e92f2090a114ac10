BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MimeTestHelpers.psm1') -Force
    $env:PYTHONIOENCODING = 'utf-8'
    $script:pythonSkip = Get-PythonSkipReason
    $script:newId = 'SmtpPs.Commands.NewMimeMessageCommand'
}

Describe 'New-MimeMessage composes a message that independent parsers read back exactly' {
    BeforeAll {
        $script:pdf = New-TestBinaryFile -Name 'report.pdf' -Length 150000 -Seed 1
        $script:zip = New-TestBinaryFile -Name 'données été.zip' -Length 3000 -Seed 2
        $script:png = New-TestBinaryFile -Name 'logo.png' -Length 5000 -Seed 3
        $script:subject = "Rapport d’été – Überblick ✓"
        $script:text = "Bonjour à tous,`nle rapport d’été est joint.`n.une ligne qui commence par un point`n`nŒuvre, naïve, 日本語."
        $script:html = "<html><body><p>Bonjour <b>à tous</b> ✓</p><img src=""cid:logo""></body></html>"
        $script:message = New-MimeMessage -From 'Zoë Dupré <zoe@example.org>' -To 'Jürgen Groß <juergen@example.org>', 'plain@example.org' `
            -Cc '"Doe, Jane" <jane@example.org>' -Bcc 'hidden@example.org' -ReplyTo 'Équipe <team@example.org>' `
            -Subject $subject -Body $text -HtmlBody $html -InlineImage @{ logo = $png } -Attachments $pdf, $zip
        $script:saved = Join-Path $TestDrive 'composed.eml'
        $message | Save-MimeMessage -Path $saved
    }

    It 'is read back by Python''s email package: subject, names, bodies and attachment bytes' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $read = Read-MessageWithPython $saved
        $read.subject | Should -BeExactly $subject
        $read.from[0] | Should -Be @('Zoë Dupré', 'zoe@example.org')
        $read.to[0] | Should -Be @('Jürgen Groß', 'juergen@example.org')
        $read.to[1] | Should -Be @('', 'plain@example.org')
        $read.cc[0] | Should -Be @('Doe, Jane', 'jane@example.org')
        $read.reply_to[0] | Should -Be @('Équipe', 'team@example.org')
        Normalize-Body $read.text | Should -BeExactly $text
        Normalize-Body $read.html | Should -BeExactly $html
        $attachments = @($read.attachments)
        $attachments.Count | Should -Be 3
        ($attachments | Where-Object filename -EQ 'logo.png').content_id | Should -Be '<logo>'
        ($attachments | Where-Object filename -EQ 'logo.png').disposition | Should -Be 'inline'
        ($attachments | Where-Object filename -EQ 'logo.png').sha256 | Should -Be (Get-Sha256 $png)
        ($attachments | Where-Object filename -EQ 'report.pdf').content_type | Should -Be 'application/pdf'
        ($attachments | Where-Object filename -EQ 'report.pdf').sha256 | Should -Be (Get-Sha256 $pdf)
        ($attachments | Where-Object filename -EQ 'données été.zip').sha256 | Should -Be (Get-Sha256 $zip)
        $read.defects | Should -BeNullOrEmpty
    }

    It 'nests the parts as mixed( alternative( text, related( html, image ) ), attachments )' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        (Read-MessageWithPython $saved).structure | Should -Be @(
            'multipart/mixed', 'multipart/alternative', 'text/plain', 'multipart/related', 'text/html', 'image/png',
            'application/pdf', 'application/zip')
    }

    It 'is read back by MimeKit: subject, names, bodies and attachment bytes' {
        $read = Read-MessageWithMimeKit $saved
        $read.Subject | Should -BeExactly $subject
        $read.From | Should -Be @('Zoë Dupré', 'zoe@example.org')
        Normalize-Body $read.TextBody | Should -BeExactly $text
        Normalize-Body $read.HtmlBody | Should -BeExactly $html
        ($read.Attachments | Where-Object FileName -EQ 'données été.zip').Sha256 | Should -Be (Get-Sha256 $zip)
        ($read.Attachments | Where-Object FileName -EQ 'report.pdf').Sha256 | Should -Be (Get-Sha256 $pdf)
        ($read.Attachments | Where-Object FileName -EQ 'logo.png').ContentId | Should -Be 'logo'
    }

    It 'is ASCII throughout, with CRLF line ends only and no line over 998 octets' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $read = Read-MessageWithPython $saved
        $read.header_ascii | Should -BeTrue
        $read.all_ascii | Should -BeTrue
        $read.bare_line_ends | Should -BeFalse
        $read.ends_with_crlf | Should -BeTrue
        $read.max_line | Should -BeLessOrEqual 998
    }

    It 'folds a long subject into encoded words instead of a line over 998 octets' {
        $wire = (New-MimeMessage -From a@example.org -To b@example.org -Subject ('x' * 1200)).ToString()
        ($wire -split "`r`n" | Measure-Object -Property Length -Maximum).Maximum | Should -BeLessOrEqual 998
        $wire | Should -Match '(?m)^Subject: =\?utf-8\?'
    }

    It 'encodes the subject and names as RFC 2047 words and the attachment name as RFC 2231' {
        $wire = Get-Content -LiteralPath $saved -Raw
        $wire | Should -Match '(?m)^Subject: .*=\?utf-8\?[bq]\?'
        $wire | Should -Match '(?m)^From: =\?utf-8\?[bq]\?.+\?= <zoe@example\.org>'
        $wire | Should -Match "filename\*=(utf-8''donn%C3%A9es%20%C3%A9t%C3%A9|iso-8859-1''donn%E9es%20%E9t%E9)\.zip"
    }

    It 'leaves Bcc out of the wire form but keeps it in the envelope' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        (Read-MessageWithPython $saved).has_bcc | Should -BeFalse
        $message.ToString() | Should -Not -Match '(?im)^Bcc:'
        $message.Bcc | Should -Be @('hidden@example.org')
        $message.EnvelopeTo | Should -Be @('juergen@example.org', 'plain@example.org', 'jane@example.org', 'hidden@example.org')
        $message.EnvelopeFrom | Should -Be 'zoe@example.org'
    }

    It 'always sets Date and a Message-ID in the author''s domain' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $read = Read-MessageWithPython $saved
        $read.message_id | Should -Match '^<[^<>@\s]+@example\.org>$'
        $read.message_id | Should -Be $message.MessageId
        [DateTimeOffset]::Parse($read.date) - [DateTimeOffset]::Now | ForEach-Object { [Math]::Abs($_.TotalMinutes) } | Should -BeLessThan 5
    }

    It 'shows what it composed: addresses, subject, headers, attachments, size and wire text' {
        $message.From | Should -Be @('Zoë Dupré <zoe@example.org>')
        $message.Cc | Should -Be @('"Doe, Jane" <jane@example.org>')
        $message.Subject | Should -BeExactly $subject
        $message.Headers | Should -Contain "Subject: $subject"
        $message.Headers -match '^Bcc' | Should -BeNullOrEmpty
        ($message.Attachments | ForEach-Object { "$($_.Name)|$($_.MediaType)|$($_.Inline)" }) | Should -Be @(
            'logo.png|image/png|True', 'report.pdf|application/pdf|False', 'données été.zip|application/zip|False')
        $message.Attachments[1].Path | Should -Be $pdf
        $bytes = [System.IO.File]::ReadAllBytes($saved)
        $message.Size | Should -Be $bytes.Length
        # SmtpPs's own MimeKit, in SmtpPs's load context: a MimeKit type, but not the one a type literal names.
        $message.MimeMessage.GetType().FullName | Should -Be 'MimeKit.MimeMessage'
    }

    It 'gives the same wire text from ToString() and -AsString as the file, except boundaries and ids' {
        $again = New-MimeMessage -From a@example.org -To b@example.org -Subject 'Same' -Body 'x' -Header @{ 'Message-ID' = '<fixed@example.org>'; Date = [datetime]'2025-07-01T10:00:00' }
        $asString = New-MimeMessage -From a@example.org -To b@example.org -Subject 'Same' -Body 'x' -Header @{ 'Message-ID' = '<fixed@example.org>'; Date = [datetime]'2025-07-01T10:00:00' } -AsString
        $asString | Should -BeOfType ([string])
        $asString | Should -BeExactly $again.ToString()
        $file = Join-Path $TestDrive 'same.eml'
        $again | Save-MimeMessage -Path $file
        [System.Text.Encoding]::UTF8.GetString([System.IO.File]::ReadAllBytes($file)) | Should -BeExactly $asString
    }
}

Describe 'New-MimeMessage picks the structure and encodings from what it is given' {
    It 'makes <structure> from <given>' -TestCases @(
        @{ given = 'a text body'; parameters = @{ Body = 'Hello' }; structure = @('text/plain'); encoding = '7bit' }
        @{ given = 'no body at all'; parameters = @{}; structure = @('text/plain'); encoding = '7bit' }
        @{ given = 'an HTML body (-BodyAsHtml)'; parameters = @{ Body = '<p>Hi</p>'; BodyAsHtml = $true }; structure = @('text/html'); encoding = '7bit' }
        @{ given = 'text and HTML'; parameters = @{ Body = 'Hi'; HtmlBody = '<p>Hi</p>' }; structure = @('multipart/alternative', 'text/plain', 'text/html'); encoding = '7bit' }
        @{ given = 'a text in French'; parameters = @{ Body = ('Bonjour à tous, voici le rapport du jour. ' * 5) }; structure = @('text/plain'); encoding = 'quoted-printable' }
        @{ given = 'a line of 5000 ASCII characters'; parameters = @{ Body = ('x' * 5000) }; structure = @('text/plain'); encoding = 'quoted-printable' }
        @{ given = 'a mostly non-Latin text'; parameters = @{ Body = ('日本語のテキスト' * 30) }; structure = @('text/plain'); encoding = 'base64' }
    ) {
        param($given, $parameters, $structure, $encoding)
        $message = New-MimeMessage -From a@example.org -To b@example.org -Subject s @parameters
        $file = Join-Path $TestDrive 'shape.eml'
        $message | Save-MimeMessage -Path $file -Force
        if (-not $pythonSkip) {
            $read = Read-MessageWithPython $file
            $read.structure | Should -Be $structure
            $read.max_line | Should -BeLessOrEqual 998
            $read.all_ascii | Should -BeTrue
            if ($parameters.Body -and -not $parameters.BodyAsHtml) { Normalize-Body $read.text | Should -BeExactly $parameters.Body }
        }
        $message.ToString() | Should -Match "(?m)^Content-Transfer-Encoding: $encoding\r$"
    }

    It 'joins several -Body strings as lines, as ConvertTo-Html gives them' {
        $html = Get-Process -Id $PID | Select-Object Name, Id | ConvertTo-Html
        $message = New-MimeMessage -From a@example.org -To b@example.org -Subject s -Body $html -BodyAsHtml
        (Normalize-Body $message.MimeMessage.HtmlBody) | Should -BeExactly ($html -join "`n")
    }

    It 'writes the header in UTF-8 (RFC 6532) when an address has a non-ASCII local part, which needs SMTPUTF8 anyway' {
        $message = New-MimeMessage -From 'José <josé@example.org>' -To 'b@bücher.example' -Subject 'Ça' -Body 'é'
        $wire = $message.ToString()
        $wire | Should -Match '(?m)^From: José <josé@example\.org>\r$'
        $wire | Should -Match '(?m)^Subject: Ça\r$'
        $wire | Should -Match '(?m)^Content-Transfer-Encoding: base64\r$'
        $message.EnvelopeFrom | Should -Be 'josé@example.org'
        $message.EnvelopeTo | Should -Be @('b@xn--bcher-kva.example')
    }

    It 'keeps an all-ASCII message free of 8-bit octets even with a non-ASCII domain (IDNA)' {
        $message = New-MimeMessage -From a@example.org -To 'Zoë <z@bücher.example>' -Subject 'x'
        $message.ToString() | Should -Match '(?m)^To: =\?utf-8\?.+\?= <z@xn--bcher-kva\.example>\r$'
        $message.EnvelopeTo | Should -Be @('z@xn--bcher-kva.example')
    }

    It 'sets Importance, Priority and X-Priority for -Priority <priority>' -TestCases @(
        @{ priority = 'High'; importance = 'high'; xpriority = '1 (Highest)' }
        @{ priority = 'Low'; importance = 'low'; xpriority = '5 (Lowest)' }
    ) {
        param($priority, $importance, $xpriority)
        $wire = (New-MimeMessage -From a@example.org -To b@example.org -Priority $priority).ToString()
        $wire | Should -Match "(?m)^Importance: $importance\r$"
        $wire | Should -Match "(?m)^X-Priority: $([regex]::Escape($xpriority))\r$"
        $wire | Should -Match '(?m)^Priority: '
    }

    It 'sets no priority field for Normal' {
        (New-MimeMessage -From a@example.org -To b@example.org).ToString() | Should -Not -Match '(?mi)^(X-)?Priority:|^Importance:'
    }

    It 'adds -Header fields, repeats array values, and lets Date, Message-ID, In-Reply-To and References replace its own' {
        $message = New-MimeMessage -From a@example.org -To b@example.org -Header ([ordered]@{
                'X-Ticket'    = 1234
                'X-Tag'       = 'one', 'two'
                'X-Note'      = 'Café crème'
                'Message-ID'  = 'fixed-1@example.org'
                'In-Reply-To' = '<parent@example.org>'
                'References'  = '<root@example.org> <parent@example.org>'
                'Date'        = [DateTimeOffset]::new(2025, 7, 1, 10, 0, 0, [TimeSpan]::FromHours(2))
            })
        $wire = $message.ToString()
        $wire | Should -Match '(?m)^X-Ticket: 1234\r$'
        ([regex]::Matches($wire, '(?m)^X-Tag: ')).Count | Should -Be 2
        $wire | Should -Match '(?m)^X-Note: Caf=\?utf-8\?|(?m)^X-Note: =\?'
        ([regex]::Matches($wire, '(?mi)^Message-ID: ')).Count | Should -Be 1
        $message.MessageId | Should -Be '<fixed-1@example.org>'
        $wire | Should -Match '(?m)^In-Reply-To: <parent@example\.org>\r$'
        $wire | Should -Match '(?m)^References: <root@example\.org> <parent@example\.org>\r$'
        ([regex]::Matches($wire, '(?m)^Date: ')).Count | Should -Be 1
        $wire | Should -Match '(?m)^Date: Tue, 01 Jul 2025 10:00:00 \+0200\r$'
    }

    It 'takes addresses from objects: <kind>' -TestCases @(
        @{ kind = 'a PSCustomObject with Name and Address'; value = { [pscustomobject]@{ Name = 'Zoë'; Address = 'z@example.org' } }; expected = 'Zoë <z@example.org>' }
        @{ kind = 'System.Net.Mail.MailAddress'; value = { [System.Net.Mail.MailAddress]::new('z@example.org', 'Zoë Z') }; expected = 'Zoë Z <z@example.org>' }
        @{ kind = 'a MimeKit MailboxAddress'; value = { [MimeKit.MailboxAddress]::new('Zoë', 'z@example.org') }; expected = 'Zoë <z@example.org>' }
        @{ kind = 'an object with EmailAddress and DisplayName'; value = { [pscustomobject]@{ DisplayName = 'Z'; EmailAddress = 'z@example.org' } }; expected = 'Z <z@example.org>' }
        @{ kind = 'a comma-separated string'; value = { 'x@example.org, Y <y@example.org>' }; expected = @('x@example.org', 'Y <y@example.org>') }
    ) {
        param($kind, $value, $expected)
        $null = New-MimeMessage -From a@example.org -To b@example.org   # loads MimeKit for the MailboxAddress case
        (New-MimeMessage -From a@example.org -To (& $value)).To | Should -Be $expected
    }

    It 'attaches every file piped from Get-ChildItem to one message' {
        $folder = Join-Path $TestDrive 'logs'
        $null = New-Item -ItemType Directory $folder -Force
        1..3 | ForEach-Object { Set-Content -LiteralPath (Join-Path $folder "log$_.log") -Value "line $_" }
        $messages = @(Get-ChildItem $folder -Filter *.log | New-MimeMessage -From a@example.org -To b@example.org -Subject Logs)
        $messages.Count | Should -Be 1
        $messages[0].Attachments.Name | Should -Be @('log1.log', 'log2.log', 'log3.log')
    }

    It 'expands wildcards in -Attachments' {
        $folder = Join-Path $TestDrive 'wild'
        $null = New-Item -ItemType Directory $folder -Force
        'a', 'b' | ForEach-Object { Set-Content -LiteralPath (Join-Path $folder "$_.csv") -Value $_ }
        (New-MimeMessage -From a@example.org -To b@example.org -Attachments (Join-Path $folder '*.csv')).Attachments.Name | Should -Be @('a.csv', 'b.csv')
    }
}

Describe 'Attachments stay in their files until the message is written' {
    It 'reads the file when the message is written, not when it is composed' {
        $file = Join-Path $TestDrive 'late.txt'
        Set-Content -LiteralPath $file -Value 'first' -NoNewline
        $message = New-MimeMessage -From a@example.org -To b@example.org -Attachments $file
        Set-Content -LiteralPath $file -Value 'second version' -NoNewline
        $saved = Join-Path $TestDrive 'late.eml'
        $message | Save-MimeMessage -Path $saved
        $read = Read-MessageWithMimeKit $saved
        $read.Attachments[0].Sha256 | Should -Be (Get-Sha256 $file)
    }

    It 'holds no open file for composed messages, whether written or not' {
        if (-not (Test-Path "/proc/$PID/fd")) { Set-ItResult -Skipped -Because 'counting open files needs /proc' }
        $file = New-TestBinaryFile -Name 'held.bin' -Length 100000
        $before = @(Get-ChildItem "/proc/$PID/fd").Count
        $messages = 1..200 | ForEach-Object { New-MimeMessage -From a@example.org -To b@example.org -Attachments $file }
        $messages | Select-Object -First 50 | ForEach-Object { $null = $_.Size }
        $after = @(Get-ChildItem "/proc/$PID/fd").Count
        $messages.Count | Should -Be 200
        ($after - $before) | Should -BeLessThan 20
    }
}

Describe 'New-MimeMessage refuses what would make a broken message, before building it' {
    It 'refuses <case> with <errorId> and the value as TargetObject' -TestCases @(
        @{ case = 'an unquoted display name with a comma'; parameters = @{ From = 'Doe, John <j@example.org>'; To = 'b@example.org' }; errorId = 'InvalidAddress'; target = 'Doe, John <j@example.org>' }
        @{ case = 'an address without a domain'; parameters = @{ From = 'a@example.org'; To = 'root' }; errorId = 'InvalidAddress'; target = 'root' }
        @{ case = 'an address with a line break'; parameters = @{ From = 'a@example.org'; To = "b@example.org`r`nRCPT TO:<x@y>" }; errorId = 'InvalidAddress'; target = "b@example.org`r`nRCPT TO:<x@y>" }
        @{ case = 'an object without an address'; parameters = @{ From = 'a@example.org'; To = 42 }; errorId = 'InvalidAddress'; target = 42 }
        @{ case = 'no recipient'; parameters = @{ From = 'a@example.org' }; errorId = 'RecipientsRequired'; target = $null }
        @{ case = 'two authors without -Sender'; parameters = @{ From = 'a@example.org, c@example.org'; To = 'b@example.org' }; errorId = 'SenderRequired'; target = 'a@example.org, c@example.org' }
        @{ case = 'a missing attachment'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Attachments = './no-such-file.pdf' }; errorId = 'AttachmentNotFound'; target = './no-such-file.pdf' }
        @{ case = 'a wildcard that matches nothing'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Attachments = './none-*.pdf' }; errorId = 'AttachmentNotFound'; target = './none-*.pdf' }
        @{ case = 'a folder as attachment'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Attachments = '/' }; errorId = 'AttachmentNotFound'; target = '/' }
        @{ case = 'a Content-Type header'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'Content-Type' = 'text/html' } }; errorId = 'HeaderNotAllowed'; target = 'Content-Type' }
        @{ case = 'a From header'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'from' = 'x@example.org' } }; errorId = 'HeaderNotAllowed'; target = 'from' }
        @{ case = 'a Return-Path header'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'Return-Path' = '<x@example.org>' } }; errorId = 'HeaderNotAllowed'; target = 'Return-Path' }
        @{ case = 'a field name with a space'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'X Bad' = '1' } }; errorId = 'HeaderNotAllowed'; target = 'X Bad' }
        @{ case = 'a header value with a line break'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'X-A' = "1`r`nBcc: evil@example.org" } }; errorId = 'InvalidHeaderValue'; target = "1`r`nBcc: evil@example.org" }
        @{ case = 'a Message-ID that is not one'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'Message-ID' = 'no id here' } }; errorId = 'InvalidHeaderValue'; target = 'no id here' }
        @{ case = 'two Message-ID values'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'Message-ID' = '<a@x.org>', '<b@x.org>' } }; errorId = 'HeaderDuplicated'; target = 'Message-ID' }
        @{ case = 'a Date that is not one'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ Date = 'someday' } }; errorId = 'InvalidHeaderValue'; target = 'someday' }
        @{ case = 'X-Priority with -Priority'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Priority = 'High'; Header = @{ 'X-Priority' = '1' } }; errorId = 'HeaderNotAllowed'; target = 'X-Priority' }
        @{ case = '-BodyAsHtml with -HtmlBody'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Body = 'x'; BodyAsHtml = $true; HtmlBody = 'y' }; errorId = 'BodyConflict'; target = $null }
        @{ case = 'a body that -Encoding cannot hold'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Body = 'Café'; Encoding = 'ascii' }; errorId = 'EncodingCannotRepresent'; target = 'us-ascii' }
        @{ case = 'an inline image without HTML'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Body = 'x'; InlineImage = @{ logo = '/etc/hostname' } }; errorId = 'InlineImageNeedsHtml'; target = $null }
        @{ case = 'an inline image name with a space'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; HtmlBody = 'x'; InlineImage = @{ 'my logo' = '/etc/hostname' } }; errorId = 'InvalidContentId'; target = 'my logo' }
        @{ case = 'a missing inline image'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; HtmlBody = 'x'; InlineImage = @{ logo = './no-logo.png' } }; errorId = 'InlineImageNotFound'; target = './no-logo.png' }
        @{ case = 'a message identifier too long to fold'; parameters = @{ From = 'a@example.org'; To = 'b@example.org'; Header = @{ 'In-Reply-To' = '<' + ('x' * 1200) + '@example.org>' } }; errorId = 'HeaderLineTooLong'; target = 'In-Reply-To' }
    ) {
        param($case, $parameters, $errorId, $target)
        $record = $null
        try { $null = New-MimeMessage @parameters -ErrorAction Stop }
        catch { $record = $_ }
        $record | Should -Not -BeNullOrEmpty -Because "$case must be refused"
        $record.FullyQualifiedErrorId | Should -Be "$errorId,$newId"
        $record.CategoryInfo.Category | Should -Be 'InvalidArgument'
        $record.TargetObject | Should -Be $target
        $record.Exception.Message | Should -Not -BeNullOrEmpty
    }

    It 'says how to quote a display name with a comma' {
        { New-MimeMessage -From 'Doe, John <j@example.org>' -To b@example.org } | Should -Throw -ExpectedMessage '*"Doe, Jane" <jane@example.org>*'
    }

    It 'warns when the HTML refers to an image it is not given, and about an image it never shows' {
        $png = New-TestBinaryFile -Name 'w.png' -Length 100
        $null = New-MimeMessage -From a@example.org -To b@example.org -HtmlBody '<img src="cid:missing">' -InlineImage @{ unused = $png } -WarningVariable warnings -WarningAction SilentlyContinue
        $warnings.Count | Should -Be 2
        "$warnings" | Should -Match 'cid:unused'
        "$warnings" | Should -Match 'cid:missing'
    }
}

Describe 'Loading' {
    It 'loads MimeKit only when a MIME cmdlet runs, not on import, Get-Command or Get-Help' {
        $script = Join-Path $TestDrive 'loading.ps1'
        @'
Import-Module $env:SMTPPS_MODULE
function Test-MimeKitLoaded { [bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MimeKit' }) }
$seen = @(Test-MimeKitLoaded)
$null = Get-Command New-MimeMessage, Test-MimeMessage, Save-MimeMessage -Syntax
$null = Get-Help New-MimeMessage -Full
$seen += Test-MimeKitLoaded
$null = New-MimeMessage -From a@example.org -To b@example.org
$seen += Test-MimeKitLoaded
$seen -join ','
'@ | Set-Content -LiteralPath $script
        $output = Invoke-FreshPwsh $script
        $output | Select-Object -Last 1 | Should -Be 'False,False,True'
    }

    It 'does not load MimeKit to find out that a string or a byte array is no MIME object' {
        $script = Join-Path $TestDrive 'sources.ps1'
        @'
Import-Module $env:SMTPPS_MODULE
$mime = ([System.Runtime.Loader.AssemblyLoadContext]::All | Where-Object Name -EQ 'SmtpPs').LoadFromAssemblyName([System.Reflection.AssemblyName]::new('SmtpPs.Mime'))
$tryGet = $mime.GetType('SmtpPs.Mime.MimeSources').GetMethod('TryGet', [System.Reflection.BindingFlags]'Static, Public')
$results = @($tryGet.Invoke($null, @('From: a@b.c')), $tryGet.Invoke($null, @(,[byte[]](1, 2))))
"$($results[0] -eq $null),$($results[1] -eq $null)," + [bool]([AppDomain]::CurrentDomain.GetAssemblies() | Where-Object { $_.GetName().Name -eq 'MimeKit' })
'@ | Set-Content -LiteralPath $script
        $output = Invoke-FreshPwsh $script
        $output | Select-Object -Last 1 | Should -Be 'True,True,False'
    }
}

Describe 'Get-Help <command>' -ForEach @(
    @{ command = 'New-MimeMessage'; examples = 6 }
    @{ command = 'Test-MimeMessage'; examples = 4 }
    @{ command = 'Save-MimeMessage'; examples = 4 }
) {
    BeforeAll { $script:help = Get-Help $command -Full }

    It 'has a synopsis, a description and examples with code and remarks' {
        $help.Synopsis | Should -Not -Match "^\s*$command"
        ($help.Description.Text -join "`n").Length | Should -BeGreaterThan 200
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual $examples
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match $command
            ($example.Remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        foreach ($name in (Get-Command $command).Parameters.Keys | Where-Object { $_ -notin $common }) {
            $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $name
            ($parameter.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
        }
    }

    It 'names its outputs' {
        $help.ReturnValues.ReturnValue.Type.Name | Should -Not -BeNullOrEmpty
    }
}

Describe 'Format views of a composed message' {
    It 'shows a table row with author, recipients, attachment count and subject, and a list without Size' {
        $message = New-MimeMessage -From a@example.org -To b@example.org, c@example.org -Subject 'Viewed' -Attachments /etc/hostname
        $table = $message | Format-Table | Out-String -Width 80
        $table | Should -Match 'From\s+To\s+Att\.\s+Subject'
        $table | Should -Match 'a@example\.org\s+b@example\.org \(\+1\)\s+1 Viewed'
        $list = $message | Format-List | Out-String -Width 120
        $list | Should -Match 'EnvelopeTo\s+: \{b@example\.org, c@example\.org\}'
        $list | Should -Not -Match 'Size|MimeMessage'
    }
}

Describe 'What the sender reads from a composed message (SmtpPs.Mime.MimeSources, internal)' {
    BeforeAll {
        $assembly = [SmtpPs.ComposedMessage].Assembly
        $script:tryGet = $assembly.GetType('SmtpPs.Mime.MimeSources').GetMethod('TryGet')
        function script:Get-Source($value) { $tryGet.Invoke($null, @($value.psobject.BaseObject)) }
        function script:Read-All($stream) {
            try { $buffer = [System.IO.MemoryStream]::new(); $stream.CopyTo($buffer); , $buffer.ToArray() } finally { $stream.Dispose() }
        }
    }

    It 'gives the envelope and a stream of exactly the wire octets' {
        $file = New-TestBinaryFile -Name 'source.bin' -Length 300000
        $message = New-MimeMessage -From 'A <a@example.org>' -To b@example.org -Bcc c@example.org -Subject 'Ça' -Attachments $file
        $source = Get-Source $message
        $source.Name | Should -Be $message.MessageId
        $source.Envelope.From | Should -Be 'a@example.org'
        @($source.Envelope.To) | Should -Be @('b@example.org', 'c@example.org')
        $octets = Read-All $source.Open()
        [System.Text.Encoding]::UTF8.GetString($octets) | Should -BeExactly $message.ToString()
        $again = Read-All $source.Open()
        $again.Length | Should -Be $octets.Length -Because 'each Open() writes the message anew'
    }

    It 'streams a 200 MB attachment through a bounded buffer' {
        $file = Join-Path $TestDrive 'sparse.bin'
        $stream = [System.IO.File]::Create($file); $stream.SetLength(200MB); $stream.Dispose()
        $source = Get-Source (New-MimeMessage -From a@example.org -To b@example.org -Attachments $file)
        [GC]::Collect()
        $before = [GC]::GetTotalMemory($true)
        $reader = $source.Open()
        $buffer = [byte[]]::new(65536)
        $total = 0L
        $peak = 0L
        try {
            while (($n = $reader.Read($buffer, 0, $buffer.Length)) -gt 0) {
                $total += $n
                if ($total % 32MB -lt 65536) { $peak = [Math]::Max($peak, [GC]::GetTotalMemory($false) - $before) }
            }
        }
        finally { $reader.Dispose() }
        $total | Should -BeGreaterThan (200MB * 4 / 3)
        $peak / 1MB | Should -BeLessThan 64
    }

    It 'stops writing and closes the attachment file when the reader stops early' {
        if (-not (Test-Path "/proc/$PID/fd")) { Set-ItResult -Skipped -Because 'counting open files needs /proc' }
        $file = Join-Path $TestDrive 'early.bin'
        $stream = [System.IO.File]::Create($file); $stream.SetLength(100MB); $stream.Dispose()
        $source = Get-Source (New-MimeMessage -From a@example.org -To b@example.org -Attachments $file)
        $reader = $source.Open()
        $null = $reader.Read([byte[]]::new(65536), 0, 65536)
        (Get-ChildItem "/proc/$PID/fd" | Where-Object { $_.LinkTarget -eq $file }) | Should -Not -BeNullOrEmpty -Because 'the writer is reading the file'
        $reader.Dispose()
        $deadline = [DateTime]::UtcNow.AddSeconds(10)
        while ((Get-ChildItem "/proc/$PID/fd" | Where-Object { $_.LinkTarget -eq $file }) -and [DateTime]::UtcNow -lt $deadline) { Start-Sleep -Milliseconds 50 }
        Get-ChildItem "/proc/$PID/fd" | Where-Object { $_.LinkTarget -eq $file } | Should -BeNullOrEmpty
    }

    It 'throws the writer''s failure from Read: an attachment file that has gone' {
        $file = New-TestBinaryFile -Name 'vanishing.bin' -Length 1000
        $source = Get-Source (New-MimeMessage -From a@example.org -To b@example.org -Attachments $file)
        Remove-Item -LiteralPath $file
        $reader = $source.Open()
        $failure = $null
        try { $null = Read-All $reader } catch { $failure = $_.Exception }
        while ($failure -is [System.Management.Automation.MethodInvocationException]) { $failure = $failure.InnerException }
        $failure | Should -BeOfType ([System.IO.FileNotFoundException])
    }

    It 'recognises a MimeKit MimeMessage as a source, and a string or a byte array as none' {
        $mime = (New-MimeMessage -From a@example.org -To b@example.org).MimeMessage
        (Get-Source $mime).GetType().Name | Should -Be 'MimeKitMessageSource'
        Get-Source 'From: a@example.org' | Should -BeNullOrEmpty
        $tryGet.Invoke($null, @(, [byte[]](1, 2))) | Should -BeNullOrEmpty
    }
}
