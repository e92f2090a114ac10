<#
.SYNOPSIS
    Mails the busiest processes of this machine as an HTML table, with a plain-text alternative.
.DESCRIPTION
    Turns Get-Process | ConvertTo-Html into the HTML body of a message, adds the same table as text
    for clients that do not show HTML (the two go as multipart/alternative), and pipes the message to
    Send-RawSmtpMail. Exits 0 when the server accepted the message and 1 when it did not.
.EXAMPLE
    ./Send-ProcessReport.ps1 -Server smtp.example.org -To oncall@example.org -Top 15
#>
param(
    [Parameter(Mandatory)] [string] $Server,
    [int] $Port = 25,
    [string] $From = 'Monitor <monitor@example.org>',
    [string[]] $To = @('oncall@example.org'),
    [int] $Top = 10,
    [int] $TimeoutSec = 120
)

$ErrorActionPreference = 'Stop'
Import-Module SmtpPs

$hostName = [System.Net.Dns]::GetHostName()
$processes = Get-Process | Sort-Object CPU -Descending | Select-Object -First $Top Name, Id,
    @{ Name = 'CPU (s)'; Expression = { [Math]::Round($_.CPU, 1) } },
    @{ Name = 'Memory (MB)'; Expression = { [Math]::Round($_.WorkingSet64 / 1MB, 1) } }

$style = '<style>table { border-collapse: collapse } th, td { border: 1px solid #999; padding: 2px 8px }</style>'
$html = $processes | ConvertTo-Html -Title "Top processes on $hostName" -Head $style -PreContent "<h1>Top $Top processes on $hostName</h1>"
$text = "Top $Top processes on ${hostName}:`n" + ($processes | Format-Table -AutoSize | Out-String -Width 120)

$message = New-MimeMessage -From $From -To $To -Subject "Top processes on $hostName" -Body $text -HtmlBody $html
$result = $message | Send-RawSmtpMail -Server $Server -Port $Port -TimeoutSec $TimeoutSec -PassThru -ErrorAction Continue -ErrorVariable failures |
    Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }
if ($result.Status -eq 'Delivered' -and $failures.Count -eq 0) {
    Write-Output "Delivered $($message.MessageId) to $($result.AcceptedRecipients -join ', ')."
    exit 0
}
Write-Output "Not delivered ($($result.Status)): $($failures[0])"
exit 1
