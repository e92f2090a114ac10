# Shared by the MIME tests (Compose, Lint, ComposeSend): independent parsers to read messages back,
# test files with known bytes, and delivery through real servers. Import it after TestHelpers.psm1.

$script:python = '/usr/bin/python3'
$script:reader = Join-Path $PSScriptRoot 'read_message.py'

function Get-PythonSkipReason {
    if (-not (Test-Path $script:python)) { return 'needs /usr/bin/python3 (Debian python3)' }
    return $null
}

function Read-MessageWithPython {
    <# Parses a message file (or bytes) with Python's email package; -Field names headers to return as lists. #>
    param([Parameter(Mandatory)] $Message, [string[]] $Field = @())
    $path = $Message
    if ($Message -is [byte[]]) {
        $path = Join-Path $TestDrive ("py-{0}.eml" -f [guid]::NewGuid().ToString('n'))
        [System.IO.File]::WriteAllBytes($path, $Message)
    }
    $json = & $script:python $script:reader $path @Field
    if ($LASTEXITCODE -ne 0) { throw "read_message.py failed on $path" }
    # Python prints UTF-8; read it as such whatever the console encoding is.
    $json | ConvertFrom-Json
}

function Read-MessageWithMimeKit {
    <# Parses a message file with MimeKit (loaded by the module's MIME cmdlets) and returns the facts the tests compare. #>
    param([Parameter(Mandatory)] [string] $Path)
    $message = [MimeKit.MimeMessage]::Load($Path)
    try {
        $attachments = foreach ($part in $message.BodyParts | Where-Object { $_ -is [MimeKit.MimePart] -and $_.FileName }) {
            $buffer = [System.IO.MemoryStream]::new()
            $part.Content.DecodeTo($buffer)
            [pscustomobject]@{
                FileName  = $part.FileName
                MediaType = $part.ContentType.MimeType
                ContentId = $part.ContentId
                Sha256    = (Get-FileHash -InputStream ([System.IO.MemoryStream]::new($buffer.ToArray())) -Algorithm SHA256).Hash.ToLowerInvariant()
            }
        }
        [pscustomobject]@{
            Subject     = $message.Subject
            From        = @($message.From.Mailboxes | ForEach-Object { @($_.Name, $_.Address) })
            To          = @($message.To.Mailboxes | ForEach-Object { $_.Address })
            TextBody    = $message.TextBody
            HtmlBody    = $message.HtmlBody
            Attachments = @($attachments)
            MessageId   = $message.MessageId
            Date        = $message.Date
        }
    }
    finally { $message.Dispose() }
}

function New-TestBinaryFile {
    <# A file of -Length pseudo-random bytes (every byte value occurs), in TestDrive. #>
    param([Parameter(Mandatory)] [string] $Name, [int] $Length = 70000, [int] $Seed = 7)
    $bytes = [byte[]]::new($Length)
    [System.Random]::new($Seed).NextBytes($bytes)
    for ($i = 0; $i -lt [Math]::Min(256, $Length); $i++) { $bytes[$i] = $i }
    $path = Join-Path $TestDrive $Name
    [System.IO.File]::WriteAllBytes($path, $bytes)
    $path
}

function Get-Sha256([string] $Path) { (Get-FileHash -LiteralPath $Path -Algorithm SHA256).Hash.ToLowerInvariant() }

function Normalize-Body([string] $Text) {
    <# Line ends as LF, without the final line break a transfer encoding may add. #>
    if ($null -eq $Text) { return $null }
    ($Text -replace "`r`n", "`n").TrimEnd("`n")
}

function Send-FileWithSwaks {
    <# Delivers a message file as it is with swaks (an independent SMTP client). #>
    param([Parameter(Mandatory)] [string] $Path, [Parameter(Mandatory)] [int] $Port, [string] $From = 'a@example.org', [string[]] $To = @('b@example.org'))
    $output = & swaks --server "127.0.0.1:$Port" --from $From --to ($To -join ',') --data "@$Path" --suppress-data 2>&1
    if ($LASTEXITCODE -ne 0) { throw "swaks failed: $output" }
}

function Get-SwaksSkipReason {
    if (-not (Get-Command swaks -ErrorAction SilentlyContinue)) { return 'needs swaks (Debian swaks)' }
    return $null
}

Export-ModuleMember -Function *
