<#
.SYNOPSIS
    Mails a CSV report with PowerShell's own Send-MailMessage: an admin script that knows nothing of
    SmtpPs, and the subject of Send-Report.Tests.ps1, which tests it against the SmtpPs capture server.
#>
[CmdletBinding()]
param(
    [Parameter(Mandatory)] [string] $SmtpServer,
    [int] $Port = 25,
    [string[]] $To = @('team@example.org'),
    [string] $From = 'reports@example.org'
)

$report = Join-Path ([System.IO.Path]::GetTempPath()) "report-$PID/report.csv"
$null = New-Item -ItemType Directory -Path (Split-Path $report) -Force
@(
    [pscustomobject]@{ Server = 'web01'; FreeGB = 12 }
    [pscustomobject]@{ Server = 'db01'; FreeGB = 3 }
) | Export-Csv -LiteralPath $report -NoTypeInformation
try {
    Send-MailMessage -SmtpServer $SmtpServer -Port $Port -From $From -To $To -Subject 'Weekly report' `
        -Body 'The weekly report is attached.' -Attachments $report -WarningAction SilentlyContinue -ErrorAction Stop
    Write-Verbose "Sent the weekly report to $($To -join ', ')."
}
catch {
    Write-Error "The weekly report was not sent: $($_.Exception.Message)"
}
finally {
    Remove-Item -LiteralPath (Split-Path $report) -Recurse -ErrorAction SilentlyContinue
}
