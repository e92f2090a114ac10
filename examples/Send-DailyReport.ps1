<#
.SYNOPSIS
    Sends a daily report as an attachment through an SMTP relay: made to run unattended from a
    scheduled task or cron.
.DESCRIPTION
    Composes the message with New-MimeMessage (Date, Message-ID and the encoding of any non-ASCII
    subject or file name are taken care of), attaches the report file, and pipes the message to
    Send-RawSmtpMail, which takes the envelope from it. No temporary file is written. Exits 0 when
    the server accepted the message and 1 when it did not, so that the scheduler's history shows the
    outcome. Every server reply goes to the log file.
.EXAMPLE
    # Windows Task Scheduler, every day at 07:00:
    $action = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument '-NoProfile -File C:\Scripts\Send-DailyReport.ps1 -ReportPath C:\Reports\daily.pdf -Server smtp.example.org'
    Register-ScheduledTask -TaskName 'Daily report' -Action $action -Trigger (New-ScheduledTaskTrigger -Daily -At 7am)
.EXAMPLE
    # cron on Linux, every day at 07:00:
    # 0 7 * * * pwsh -NoProfile -File /opt/scripts/Send-DailyReport.ps1 -ReportPath /var/reports/daily.pdf -Server smtp.example.org
#>
param(
    [Parameter(Mandatory)] [string] $ReportPath,
    [Parameter(Mandatory)] [string] $Server,
    [int] $Port = 25,
    [string] $From = 'Reports <reports@example.org>',
    [string[]] $To = @('team@example.org'),
    [string] $Subject = "Daily report $(Get-Date -Format 'yyyy-MM-dd')",
    [string] $LogPath = (Join-Path ([System.IO.Path]::GetTempPath()) 'daily-report.log'),
    [int] $TimeoutSec = 120
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')

$report = Get-Item -LiteralPath $ReportPath
$body = @(
    "Good morning,"
    ""
    "the daily report of $(Get-Date -Format 'dddd d MMMM yyyy') is attached: $($report.Name), $([Math]::Ceiling($report.Length / 1KB)) KB."
    ""
    "-- Sent by Send-DailyReport.ps1 on $([System.Net.Dns]::GetHostName())"
)
$message = New-MimeMessage -From $From -To $To -Subject $Subject -Body $body -Attachments $report.FullName

$output = $message | Send-RawSmtpMail -Server $Server -Port $Port -TimeoutSec $TimeoutSec -PassThru -ErrorAction Continue -ErrorVariable failures
$output | Where-Object { $_ -is [SmtpPs.SmtpReply] } | ForEach-Object { "{0:o} {1} -> {2} {3}" -f (Get-Date), $_.Command, $_.Code, $_.Text } |
    Add-Content -LiteralPath $LogPath
$result = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
if ($result.Status -eq 'Delivered' -and $failures.Count -eq 0) {
    Write-Output "Delivered $($message.MessageId) to $($result.AcceptedRecipients -join ', ') (queue id $($result.QueueId))."
    exit 0
}
$failures | ForEach-Object { "{0:o} ERROR {1}" -f (Get-Date), $_ } | Add-Content -LiteralPath $LogPath
Write-Output "Not delivered ($($result.Status)): $($failures[0])"
exit 1
