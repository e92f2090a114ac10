<#
.SYNOPSIS
    An admin script that mails an alert when a disk is nearly full: the subject of Send-DiskAlert.Tests.ps1.
#>
param(
    [Parameter(Mandatory)] [string] $Server,
    [int] $Port = 25,
    [string] $From = 'monitor@example.org',
    [string[]] $To = @('oncall@example.org'),
    [int] $ThresholdPercent = 90,
    # Injected by the tests; on a real machine it reads the drives.
    [scriptblock] $GetUsage = { Get-PSDrive -PSProvider FileSystem | Where-Object Used | ForEach-Object { [pscustomobject]@{ Name = $_.Name; Percent = [int](100 * $_.Used / ($_.Used + $_.Free)) } } }
)

. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')
$full = @(& $GetUsage | Where-Object Percent -GE $ThresholdPercent)
if ($full.Count -eq 0) { return }

$body = ($full | ForEach-Object { "Drive $($_.Name) is $($_.Percent)% full." }) -join "`r`n"
# New-MimeMessage sets Date and Message-ID, and encodes what needs encoding; no temporary file.
New-MimeMessage -From $From -To $To -Subject "Disk space alert ($($full.Count))" -Body $body |
    Send-RawSmtpMail -From $From -To $To -Server $Server -Port $Port -TimeoutSec 60 -ResultOnly -ErrorAction Stop
