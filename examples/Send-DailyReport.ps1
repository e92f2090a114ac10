<#
.SYNOPSIS
    Sends a daily report through an SMTP relay: made to run unattended from a scheduled task or cron.
.DESCRIPTION
    Wraps the report text in a minimal RFC 5322 message (From, To, Subject, Date, Message-ID), sends it
    with Send-RawSmtpMail and exits 0 when the server accepted it, 1 when it did not, so that the
    scheduler's history shows the outcome. Every server reply goes to the log file.
.EXAMPLE
    # Windows Task Scheduler, every day at 07:00:
    $action = New-ScheduledTaskAction -Execute 'pwsh.exe' -Argument '-NoProfile -File C:\Scripts\Send-DailyReport.ps1 -ReportPath C:\Reports\daily.txt -Server smtp.example.org'
    Register-ScheduledTask -TaskName 'Daily report' -Action $action -Trigger (New-ScheduledTaskTrigger -Daily -At 7am)
.EXAMPLE
    # cron on Linux, every day at 07:00:
    # 0 7 * * * pwsh -NoProfile -File /opt/scripts/Send-DailyReport.ps1 -ReportPath /var/reports/daily.txt -Server smtp.example.org
#>
param(
    [Parameter(Mandatory)] [string] $ReportPath,
    [Parameter(Mandatory)] [string] $Server,
    [int] $Port = 25,
    [string] $From = 'reports@example.org',
    [string[]] $To = @('team@example.org'),
    [string] $Subject = "Daily report $(Get-Date -Format 'yyyy-MM-dd')",
    [string] $LogPath = (Join-Path ([System.IO.Path]::GetTempPath()) 'daily-report.log'),
    [int] $TimeoutSec = 120
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')

$date = [DateTimeOffset]::Now.ToString('ddd, dd MMM yyyy HH:mm:ss zzz', [Globalization.CultureInfo]::InvariantCulture).Remove(29, 1)
$messageId = '<{0}@{1}>' -f [guid]::NewGuid(), ($From -split '@')[-1]
$headers = @(
    "From: $From"
    "To: $($To -join ', ')"
    "Subject: $Subject"
    "Date: $date"
    "Message-ID: $messageId"
    'MIME-Version: 1.0'
    'Content-Type: text/plain; charset=utf-8'
)
$message = Join-Path ([System.IO.Path]::GetTempPath()) ("daily-report-{0}.eml" -f [guid]::NewGuid().ToString('n'))
$body = Get-Content -LiteralPath $ReportPath -Raw
[System.IO.File]::WriteAllText($message, (($headers -join "`r`n") + "`r`n`r`n" + $body), [System.Text.UTF8Encoding]::new($false))

try {
    $output = Send-RawSmtpMail -Path $message -From $From -To $To -Server $Server -Port $Port -TimeoutSec $TimeoutSec -PassThru -ErrorAction Continue -ErrorVariable failures
    $output | Where-Object { $_ -is [SmtpPs.SmtpReply] } | ForEach-Object { "{0:o} {1} -> {2} {3}" -f (Get-Date), $_.Command, $_.Code, $_.Text } |
        Add-Content -LiteralPath $LogPath
    $result = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
    if ($result.Status -eq 'Delivered' -and $failures.Count -eq 0) {
        Write-Output "Delivered $messageId to $($result.AcceptedRecipients -join ', ') (queue id $($result.QueueId))."
        exit 0
    }
    $failures | ForEach-Object { "{0:o} ERROR {1}" -f (Get-Date), $_ } | Add-Content -LiteralPath $LogPath
    Write-Output "Not delivered ($($result.Status)): $($failures[0])"
    exit 1
}
finally {
    Remove-Item -LiteralPath $message -ErrorAction SilentlyContinue
}
