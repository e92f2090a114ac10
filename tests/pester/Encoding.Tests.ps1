BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function ConvertTo-ReferenceWire([string] $content) {
        <# An independent statement of the rules: every line break becomes CRLF, a final one is added
           when missing, a leading dot is doubled, and ".CRLF" ends the data. Latin-1: one char per byte. #>
        $lines = ($content -replace "`r`n", "`n" -replace "`r", "`n") -split "`n"
        if ($lines[-1] -eq '') { $lines = $lines[0..($lines.Count - 2)] }
        $stuffed = foreach ($line in $lines) { if ($line.StartsWith('.')) { ".$line" } else { $line } }
        return (($stuffed -join "`r`n") + "`r`n.`r`n")
    }

    function Test-WireInvariant([byte[]] $section) {
        [SmtpPs.TestServer.Wire]::CheckDataInvariant($section)
    }
}

Describe 'The message on the wire after 354' {
    BeforeEach {
        $script:server = Start-RecordingServer
        $script:common = @{ From = 'a@example.org'; To = 'b@example.org'; Server = '127.0.0.1'; Port = $server.Port }
    }
    AfterEach { $server.Dispose() }

    It 'turns <name> into <expected>' -TestCases @(
        @{ name = 'CRLF lines'; content = "a`r`nb`r`n"; expected = "a`r`nb`r`n.`r`n" }
        @{ name = 'bare LF'; content = "a`nb`n"; expected = "a`r`nb`r`n.`r`n" }
        @{ name = 'bare CR'; content = "a`rb`r"; expected = "a`r`nb`r`n.`r`n" }
        @{ name = 'CR CR LF'; content = "a`r`r`nb`r`n"; expected = "a`r`n`r`nb`r`n.`r`n" }
        @{ name = 'a missing final line break'; content = "a`r`nb"; expected = "a`r`nb`r`n.`r`n" }
        @{ name = 'a dot at the start of the file'; content = ".a`r`nb`r`n"; expected = "..a`r`nb`r`n.`r`n" }
        @{ name = 'a line that is a lone dot'; content = "a`r`n.`r`nb`r`n"; expected = "a`r`n..`r`nb`r`n.`r`n" }
        @{ name = 'a line of two dots'; content = "..x`r`n"; expected = "...x`r`n.`r`n" }
        @{ name = 'a file that is one dot'; content = '.'; expected = "..`r`n.`r`n" }
        @{ name = 'LF dot LF (smuggling)'; content = "a`n.`nb`n"; expected = "a`r`n..`r`nb`r`n.`r`n" }
        @{ name = 'CR dot CR (smuggling)'; content = "a`r.`rb`r`n"; expected = "a`r`n..`r`nb`r`n.`r`n" }
        @{ name = 'CRLF dot LF (smuggling)'; content = "a`r`n.`nb`r`n"; expected = "a`r`n..`r`nb`r`n.`r`n" }
        @{ name = 'LF dot CRLF (smuggling)'; content = "a`n.`r`nb`r`n"; expected = "a`r`n..`r`nb`r`n.`r`n" }
        @{ name = 'a file ending in a bare CR'; content = "a`r"; expected = "a`r`n.`r`n" }
        @{ name = 'a file ending in CRLF dot CRLF'; content = "a`r`n.`r`n"; expected = "a`r`n..`r`n.`r`n" }
    ) {
        param($name, $content, $expected)
        $file = New-MessageFile -Text $content
        $null = Send-RawSmtpMail -Path $file @common
        $section = @($server.Connections)[0].DataSections[0]
        Get-Latin1Text $section | Should -BeExactly $expected
        Test-WireInvariant $section | Should -BeNullOrEmpty
        $expected | Should -BeExactly (ConvertTo-ReferenceWire $content)
    }

    It 'stuffs a dot and joins a CRLF that fall on the boundaries between read blocks' {
        # Lines of 80 octets, placed so that an LF is the last octet of the first block read, a '.' the first
        # of the second, and a CRLF is split between the second and third blocks; the sizes come from the
        # block size the core reads in, so the test crosses its boundaries whatever it is.
        $block = [SmtpPs.TestServer.CoreConstants]::ReadBlockSize
        $line = ('x' * 79) + "`n"
        $lines = [math]::Floor(($block - 1) / 80)
        $text = [System.Text.StringBuilder]::new()
        $null = $text.Append($line * $lines).Append('x' * ($block - 1 - 80 * $lines)).Append("`n")   # LF at block - 1
        $null = $text.Append(".dot line`n")                                                          # '.' at block
        $rest = $block - 10
        $null = $text.Append($line * [math]::Floor(($rest - 1) / 80)).Append('y' * (($rest - 1) % 80)).Append("`r")  # CR at 2 block - 1
        $null = $text.Append("`n.after split CRLF`r`nend")                                          # LF at 2 block
        $content = $text.ToString()
        $content[$block - 1] | Should -Be "`n"; $content[$block] | Should -Be '.'
        $content[2 * $block - 1] | Should -Be "`r"; $content[2 * $block] | Should -Be "`n"
        $file = New-MessageFile -Text $content
        $null = Send-RawSmtpMail -Path $file @common
        $section = @($server.Connections)[0].DataSections[0]
        Test-WireInvariant $section | Should -BeNullOrEmpty
        Get-Latin1Text $section | Should -BeExactly (ConvertTo-ReferenceWire $content)
        $server.WaitForMessages(1) | Should -BeTrue
        @($server.Messages)[0].Text | Should -BeExactly (($content -replace "`r`n", "`n" -replace "`n", "`r`n") + "`r`n")
    }

    It 'keeps the wire invariant and the content for random files full of CR, LF and dots' {
        $random = [System.Random]::new(5321)
        $alphabet = "`r", "`n", '.', '.', 'a', 'b', ' ', '-'
        $files = foreach ($i in 1..60) {
            $length = $random.Next(1, 300)
            $chars = foreach ($j in 1..$length) { $alphabet[$random.Next($alphabet.Count)] }
            $content = 'x' + (-join $chars)  # never empty
            [pscustomobject]@{ Path = (New-MessageFile -Text $content -Name "random-$i.eml"); Content = $content }
        }
        $null = $files.Path | Send-RawSmtpMail @common
        $sections = @($server.Connections)[0].DataSections
        $sections.Count | Should -Be 60
        for ($i = 0; $i -lt 60; $i++) {
            Test-WireInvariant $sections[$i] | Should -BeNullOrEmpty -Because "file $i"
            Get-Latin1Text $sections[$i] | Should -BeExactly (ConvertTo-ReferenceWire $files[$i].Content) -Because "file $i"
        }
        $server.WaitForMessages(60) | Should -BeTrue
    }

    It 'sends 8-bit bytes exactly as they are in the file' {
        $bytes = [byte[]](0x53, 0x3A, 0x20, 0xE9, 0xFF, 0x80, 0x0D, 0x0A, 0x0D, 0x0A, 0xC3, 0xA9, 0x0D, 0x0A)
        $file = New-MessageFile -Bytes $bytes
        $null = Send-RawSmtpMail -Path $file @common
        $section = @($server.Connections)[0].DataSections[0]
        $section[0..($bytes.Length - 1)] | Should -Be $bytes
    }
}
