<#
.SYNOPSIS
    W7: peak memory of composing and writing a message with a large attachment, for two attachment
    sizes, against MimeKit's BodyBuilder (the usual way to attach a file with MimeKit) in the same run.
.DESCRIPTION
    Each measurement is one fresh pwsh process (Import-Module, compose, write) that reports its peak
    resident set (VmHWM). The attachment is a sparse file, so the disk does not limit the run. SmtpPs
    composes with New-MimeMessage and writes with Save-MimeMessage; the send (New-MimeMessage |
    Send-RawSmtpMail to Postfix's smtp-sink, which discards) is measured too once Send-RawSmtpMail
    takes composed messages, and reported as not yet supported before that. The peer builds the same
    message with BodyBuilder.Attachments.Add(path) and writes it with MimeMessage.WriteTo. The section
    replaces the W7 section of bench/RESULTS.md (bench/run.ps1 calls this after writing the others).
.EXAMPLE
    dotnet pwsh bench/compose.ps1 -ModulePath output/SmtpPs/0.1.0/SmtpPs.psd1
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [long[]] $Sizes = @(256MB, 1GB),
    [string] $ResultsPath = (Join-Path $PSScriptRoot 'RESULTS.md')
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$ModulePath = (Resolve-Path -LiteralPath $ModulePath).Path
$process = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
$pwsh = if ([System.IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') { @($process, [System.Reflection.Assembly]::GetEntryAssembly().Location) } else { @($process) }
$work = Join-Path ([System.IO.Path]::GetTempPath()) "smtpps-bench-compose-$PID"
$null = New-Item -ItemType Directory -Path $work -Force

$child = Join-Path $work 'child.ps1'
@'
param($Module, $Attachment, $Out, $Mode, $Port)
Import-Module $Module
$timer = [System.Diagnostics.Stopwatch]::StartNew()
$status = 'ok'
switch ($Mode) {
    'save' {
        New-MimeMessage -From bench@example.org -To rcpt@example.org -Subject bench -Body 'See the attachment.' -Attachments $Attachment |
            Save-MimeMessage -Path $Out -Force
    }
    'send' {
        try {
            $null = New-MimeMessage -From bench@example.org -To rcpt@example.org -Subject bench -Body 'See the attachment.' -Attachments $Attachment |
                Send-RawSmtpMail -Server 127.0.0.1 -Port $Port -TimeoutSec 600 -ErrorAction Stop
        }
        catch { $status = 'unsupported' }
    }
    'bodybuilder' {
        $null = New-MimeMessage -From a@example.org -To b@example.org   # loads the module's MimeKit
        $message = [MimeKit.MimeMessage]::new()
        $message.From.Add([MimeKit.MailboxAddress]::new('', 'bench@example.org'))
        $message.To.Add([MimeKit.MailboxAddress]::new('', 'rcpt@example.org'))
        $message.Subject = 'bench'
        $builder = [MimeKit.BodyBuilder]::new()
        $builder.TextBody = 'See the attachment.'
        $null = $builder.Attachments.Add($Attachment)
        $message.Body = $builder.ToMessageBody()
        $options = [MimeKit.FormatOptions]::Default.Clone()
        $options.NewLineFormat = 'Dos'
        $message.WriteTo($options, $Out)
    }
}
$timer.Stop()
$rss = [double](((Get-Content /proc/self/status) -match '^VmHWM:')[0] -split '\s+')[1] / 1024
'{{"status":"{0}","seconds":{1},"peakRssMb":{2:F1}}}' -f $status, $timer.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture), $rss
'@ | Set-Content -LiteralPath $child

function Measure-Child([string] $Mode, [string] $Attachment, [int] $Port = 0) {
    $out = Join-Path $work 'out.eml'
    $rest = @($pwsh | Select-Object -Skip 1)
    $output = & $pwsh[0] @rest -NoProfile -NonInteractive -File $child -Module $ModulePath -Attachment $Attachment -Out $out -Mode $Mode -Port $Port 2>&1
    if ($LASTEXITCODE) { throw "$Mode failed: $output" }
    Remove-Item -LiteralPath $out -ErrorAction SilentlyContinue
    ($output | Select-Object -Last 1) | ConvertFrom-Json
}

# Postfix's smtp-sink accepts and discards: the send measures the client alone.
$sink = $null
$port = 0
if (Test-Path /usr/sbin/smtp-sink) {
    $listener = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $listener.Start()
    $port = $listener.LocalEndpoint.Port; $listener.Stop()
    $user = if ((id -u) -eq '0') { @('-u', 'postfix') } else { @() }
    $sink = Start-Process -FilePath /usr/sbin/smtp-sink -ArgumentList ($user + @("127.0.0.1:$port", '10')) -PassThru
    Start-Sleep -Milliseconds 500
}

$rows = [System.Collections.Generic.List[object]]::new()
try {
    $tiny = Join-Path $work 'tiny.bin'
    [System.IO.File]::WriteAllBytes($tiny, [byte[]](1..100))
    $baseline = Measure-Child 'save' $tiny
    foreach ($size in $Sizes) {
        $file = Join-Path $work "attachment-$size.bin"
        $stream = [System.IO.File]::Create($file)
        $stream.SetLength($size)   # sparse: reads as zeros, costs no disk
        $stream.Dispose()
        $save = Measure-Child 'save' $file
        $send = if ($sink) { Measure-Child 'send' $file $port } else { [pscustomobject]@{ status = 'no smtp-sink'; seconds = 0; peakRssMb = 0 } }
        $peer = Measure-Child 'bodybuilder' $file
        Remove-Item -LiteralPath $file
        $label = if ($size -ge 1GB) { '{0} GB' -f ($size / 1GB) } else { '{0} MB' -f ($size / 1MB) }
        Write-Host ("  W7 {0,-7} save {1,7:F1} MB {2,6:F2} s | send {3} | BodyBuilder {4,7:F1} MB" -f $label, $save.peakRssMb, $save.seconds, $(if ($send.status -eq 'ok') { '{0:F1} MB' -f $send.peakRssMb } else { $send.status }), $peer.peakRssMb)
        $rows.Add([pscustomobject]@{ Label = $label; Save = $save; Send = $send; Peer = $peer })
    }
}
finally {
    if ($sink) { Stop-Process -Id $sink.Id -ErrorAction SilentlyContinue }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

$section = [System.Collections.Generic.List[string]]::new()
$section.Add('## W7: composing a message with a large attachment, peak RSS (one process per cell)')
$section.Add('')
$section.Add("Made by ``bench/compose.ps1`` on $((Get-Date).ToUniversalTime().ToString('yyyy-MM-dd HH:mm')) UTC. The attachment is a sparse file. SmtpPs: New-MimeMessage, then Save-MimeMessage (an .eml file) or Send-RawSmtpMail (to smtp-sink); the attachment is base64-encoded from its file as the message is written. Peer: MimeKit's BodyBuilder.Attachments.Add(path), then MimeMessage.WriteTo(path), in the same run. The same process composing a 100-octet attachment peaks at $('{0:F1}' -f $baseline.peakRssMb) MB (pwsh, the module and MimeKit).")
$section.Add('')
$section.Add('| Attachment | SmtpPs save, peak RSS MB | SmtpPs save s | SmtpPs send, peak RSS MB | BodyBuilder, peak RSS MB | BodyBuilder / SmtpPs |')
$section.Add('|---|---:|---:|---:|---:|---:|')
foreach ($row in $rows) {
    $send = if ($row.Send.status -eq 'ok') { '{0:F1}' -f $row.Send.peakRssMb } else { "n/a ($($row.Send.status))" }
    $section.Add(('| {0} | {1:F1} | {2:F2} | {3} | {4:F1} | {5:F1} |' -f $row.Label, $row.Save.peakRssMb, $row.Save.seconds, $send, $row.Peer.peakRssMb, ($row.Peer.peakRssMb / $row.Save.peakRssMb)))
}

$existing = if (Test-Path -LiteralPath $ResultsPath) { Get-Content -LiteralPath $ResultsPath -Raw } else { "# Benchmark results`n" }
$before = ($existing -split '(?m)^## W7:')[0].TrimEnd()
($before + "`n`n" + ($section -join "`n") + "`n") | Set-Content -LiteralPath $ResultsPath -NoNewline
Write-Host "Wrote the W7 section of $ResultsPath"
