BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'MimeTestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1') -Force
    $env:PYTHONIOENCODING = 'utf-8'
    $script:saveId = 'SmtpPs.Commands.SaveMimeMessageCommand'
    $script:pythonSkip = Get-PythonSkipReason
    $script:composed = New-MimeMessage -From 'Zoë <zoe@example.org>' -To b@example.org -Bcc hidden@example.org -Subject "Rapport d’été" -Body 'Bonjour' -Attachments (New-TestBinaryFile -Name 'save.bin' -Length 9000)
}

Describe 'Save-MimeMessage writes the wire form to a file' {
    It 'writes a composed message byte for byte as its wire text, without Bcc' {
        $file = Join-Path $TestDrive 'saved.eml'
        $composed | Save-MimeMessage -Path $file
        $bytes = [System.IO.File]::ReadAllBytes($file)
        [System.Text.Encoding]::UTF8.GetString($bytes) | Should -BeExactly $composed.ToString()
        Get-Latin1Text $bytes | Should -Not -Match '(?im)^Bcc:'
    }

    It 'writes <kind> exactly as it is' -TestCases @(
        @{ kind = 'a byte[]'; make = { param($b) , $b }; expected = { param($b) $b } }
        @{ kind = 'an object with a byte[] Raw property'; make = { param($b) [pscustomobject]@{ Id = 1; Raw = $b } }; expected = { param($b) $b } }
        @{ kind = 'a string, as UTF-8'; make = { param($b) "Subject: Grüße`r`n`r`nx`r`n" }; expected = { param($b) [System.Text.Encoding]::UTF8.GetBytes("Subject: Grüße`r`n`r`nx`r`n") } }
    ) {
        param($kind, $make, $expected)
        $raw = [byte[]](Get-Latin1Bytes "From: a@example.org`r`nBcc: kept@example.org`r`nSubject: raw $([char]0xE9)`n`nbare LF body`r`n")
        $file = Join-Path $TestDrive ("raw-{0}.eml" -f [guid]::NewGuid().ToString('n'))
        Save-MimeMessage -InputObject (& $make $raw) -LiteralPath $file
        [System.IO.File]::ReadAllBytes($file) | Should -Be (& $expected $raw)
    }

    It 'writes each message into a folder, named after its Message-ID' {
        $folder = Join-Path $TestDrive 'outbox'
        $null = New-Item -ItemType Directory $folder -Force
        $messages = 1..3 | ForEach-Object { New-MimeMessage -From a@example.org -To b@example.org -Subject "n$_" }
        $files = $messages | Save-MimeMessage -Path $folder -PassThru
        $files.Count | Should -Be 3
        $files[0] | Should -BeOfType ([System.IO.FileInfo])
        $files[0].Name | Should -Be (($messages[0].MessageId.Trim('<', '>')) + '.eml')
        (Get-ChildItem $folder).Count | Should -Be 3
        $raw = [pscustomobject]@{ Raw = [byte[]](Get-Latin1Bytes "Message-ID: <captured/1@example.org>`r`n`r`nx`r`n") }
        ($raw | Save-MimeMessage -Path $folder -PassThru).Name | Should -Be 'captured_1@example.org.eml'
    }

    It 'refuses to overwrite without -Force, and overwrites with it' {
        $file = Join-Path $TestDrive 'exists.eml'
        Set-Content -LiteralPath $file -Value 'old'
        $composed | Save-MimeMessage -Path $file -ErrorVariable refused -ErrorAction SilentlyContinue
        $refused.Count | Should -Be 1
        $refused[0].FullyQualifiedErrorId | Should -Be "MessageFileExists,$saveId"
        $refused[0].CategoryInfo.Category | Should -Be 'ResourceExists'
        $refused[0].TargetObject | Should -Be $file
        (Get-Content -LiteralPath $file) | Should -Be 'old'
        $composed | Save-MimeMessage -Path $file -Force
        (Get-Content -LiteralPath $file -Raw) | Should -Match 'Subject: '
    }

    It 'writes nothing with -WhatIf' {
        $file = Join-Path $TestDrive 'whatif.eml'
        $composed | Save-MimeMessage -Path $file -WhatIf
        Test-Path -LiteralPath $file | Should -BeFalse
    }

    It 'leaves no file, not even a partial one, when an attachment has gone' {
        $folder = Join-Path $TestDrive 'partial'
        $null = New-Item -ItemType Directory $folder -Force
        $attachment = New-TestBinaryFile -Name 'gone.bin' -Length 1000
        $message = New-MimeMessage -From a@example.org -To b@example.org -Attachments $attachment
        Remove-Item -LiteralPath $attachment
        $message | Save-MimeMessage -Path (Join-Path $folder 'm.eml') -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed[0].FullyQualifiedErrorId | Should -Be "MessageWriteFailed,$saveId"
        $failed[0].CategoryInfo.Category | Should -Be 'WriteError'
        Get-ChildItem -LiteralPath $folder -Force | Should -BeNullOrEmpty
    }

    It 'writes a non-terminating error for <case>' -TestCases @(
        @{ case = 'an object that is no message'; value = { Get-Date }; path = 'x.eml'; errorId = 'UnsupportedInputObject'; category = 'InvalidArgument' }
        @{ case = 'a folder that does not exist'; value = { $composed }; path = 'no-such-folder/x.eml'; errorId = 'FolderNotFound'; category = 'ObjectNotFound' }
    ) {
        param($case, $value, $path, $errorId, $category)
        Save-MimeMessage -InputObject (& $value) -Path (Join-Path $TestDrive $path) -ErrorVariable failed -ErrorAction SilentlyContinue
        $failed.Count | Should -Be 1
        $failed[0].FullyQualifiedErrorId | Should -Be "$errorId,$saveId"
        $failed[0].CategoryInfo.Category | Should -Be $category
    }
}

Describe 'Save-MimeMessage writes MimeKit messages made by other code' {
    BeforeAll {
        $script:mimeKitPath = Join-Path (Split-Path $env:SMTPPS_MODULE) 'Core/MimeKit.dll'
    }

    It 'writes a MimeKit MimeMessage with CRLF line ends and without its Bcc field' {
        $mime = [MimeKit.MimeMessage]::new()
        $mime.From.Add([MimeKit.MailboxAddress]::new('Ops', 'ops@example.org'))
        $mime.To.Add([MimeKit.MailboxAddress]::new('Team', 'team@example.org'))
        $mime.Bcc.Add([MimeKit.MailboxAddress]::new('', 'secret@example.org'))
        $mime.Subject = 'From MimeKit'
        $text = [MimeKit.TextPart]::new('plain')
        $text.Text = "line one`nline two"
        $mime.Body = $text
        $file = Join-Path $TestDrive 'mimekit.eml'
        Save-MimeMessage -InputObject $mime -Path $file
        $content = Get-Latin1Text ([System.IO.File]::ReadAllBytes($file))
        $content | Should -Not -Match 'secret@example\.org'
        $content | Should -Match "Subject: From MimeKit`r`n"
        $content | Should -Not -Match "[^`r]`n"
        $mime.Bcc.Count | Should -Be 1 -Because 'the caller''s message is not changed'
    }

    It 'writes a MimeMessage of a MimeKit loaded in another load context, through its own API' {
        $context = [System.Runtime.Loader.AssemblyLoadContext]::new('other-mimekit-' + [guid]::NewGuid().ToString('n'), $false)
        $assembly = $context.LoadFromAssemblyPath($mimeKitPath)
        $mime = [Activator]::CreateInstance($assembly.GetType('MimeKit.MimeMessage'))
        $mime -is [MimeKit.MimeMessage] | Should -BeFalse -Because 'it must be a MimeKit type that is not SmtpPs''s'
        $mailbox = $assembly.GetType('MimeKit.MailboxAddress')
        $mime.From.Add([Activator]::CreateInstance($mailbox, [object[]]@('Other', 'other@example.org')))
        $mime.To.Add([Activator]::CreateInstance($mailbox, [object[]]@('', 'to@example.org')))
        $mime.Bcc.Add([Activator]::CreateInstance($mailbox, [object[]]@('', 'blind@example.org')))
        $mime.Subject = 'Other context'
        $text = [Activator]::CreateInstance($assembly.GetType('MimeKit.TextPart'), [object[]]@('plain'))
        $text.Text = "from another load context"
        $mime.Body = $text
        $file = Join-Path $TestDrive 'foreign.eml'
        Save-MimeMessage -InputObject $mime -Path $file
        $content = Get-Latin1Text ([System.IO.File]::ReadAllBytes($file))
        $content | Should -Match "Subject: Other context`r`n"
        $content | Should -Match "from another load context`r`n"
        $content | Should -Not -Match 'blind@example\.org'
        $content | Should -Not -Match "[^`r]`n"
        Test-MimeMessage -InputObject $mime | Should -BeNullOrEmpty
    }
}

Describe 'A saved message delivered through real servers arrives intact' {
    BeforeAll {
        $script:png = New-TestBinaryFile -Name 'deliver.png' -Length 4000 -Seed 11
        $script:pdf = New-TestBinaryFile -Name 'Bericht Größe.pdf' -Length 250000 -Seed 12
        $script:subject = "Rapport d’été ✓"
        $script:body = "Grüße aus Köln.`n.Zeile mit Punkt`nEnde."
        $script:html = '<p>Grüße <img src="cid:logo"></p>'
        $message = New-MimeMessage -From 'Zoë <zoe@example.org>' -To 'Jürgen <juergen@example.org>' -Subject $subject -Body $body -HtmlBody $html -InlineImage @{ logo = $png } -Attachments $pdf
        $script:eml = Join-Path $TestDrive 'deliver.eml'
        $message | Save-MimeMessage -Path $eml
    }

    It 'reads back the same after Send-RawSmtpMail -Path to an ESMTP server' {
        if ($pythonSkip) { Set-ItResult -Skipped -Because $pythonSkip }
        $server = Start-RecordingServer
        try {
            $null = Send-RawSmtpMail -Path $eml -Server 127.0.0.1 -Port $server.Port -RecipientsFromHeaders
            $server.WaitForMessages(1) | Should -BeTrue
            $arrived = @($server.Messages)[0]
            $arrived.To | Should -Be @('juergen@example.org')
            $read = Read-MessageWithPython $arrived.Content
            $read.subject | Should -BeExactly $subject
            Normalize-Body $read.text | Should -BeExactly $body
            Normalize-Body $read.html | Should -BeExactly $html
            ($read.attachments | Where-Object filename -EQ 'Bericht Größe.pdf').sha256 | Should -Be (Get-Sha256 $pdf)
            ($read.attachments | Where-Object filename -EQ 'deliver.png').sha256 | Should -Be (Get-Sha256 $png)
            $read.all_ascii | Should -BeTrue
            $read.max_line | Should -BeLessOrEqual 998
        }
        finally { $server.Dispose() }
    }

    It 'reads back the same after swaks sent it through Postfix' {
        $skip = (Get-PostfixSkipReason) ?? (Get-SwaksSkipReason) ?? $pythonSkip
        if ($skip) { Set-ItResult -Skipped -Because $skip }
        $recorder = Start-RecordingServer
        $port = Get-FreeTcpPort
        $postfix = Start-PrivatePostfix -Port $port -RelayPort $recorder.Port
        try {
            Send-FileWithSwaks -Path $eml -Port $port -From zoe@example.org -To juergen@example.org
            $recorder.WaitForMessages(1, 30000) | Should -BeTrue
            $arrived = @($recorder.Messages)[0]
            $read = Read-MessageWithPython $arrived.Content
            $read.subject | Should -BeExactly $subject
            $read.from[0] | Should -Be @('Zoë', 'zoe@example.org')
            Normalize-Body $read.text | Should -BeExactly $body
            ($read.attachments | Where-Object filename -EQ 'Bericht Größe.pdf').sha256 | Should -Be (Get-Sha256 $pdf)
            $read.header_ascii | Should -BeTrue
            $read.max_line | Should -BeLessOrEqual 998
            $arrived.Text | Should -Match 'Received: from'
        }
        finally {
            Stop-PrivatePostfix $postfix
            $recorder.Dispose()
        }
    }
}
