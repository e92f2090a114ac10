<#
.SYNOPSIS
    Sends every .eml file of a folder over one SMTP connection and prints a summary.
.DESCRIPTION
    Each file keeps its own envelope: the sender from its From: header and the recipients from its
    To, Cc and Bcc headers (as sendmail -t). Delivered files move to a 'sent' folder; files that were
    refused stay, and those whose fate is Unknown (the connection broke after the final dot) move to
    'unknown' so that nobody sends them twice without looking. Exits 1 when any file was not delivered.
.EXAMPLE
    ./Send-Outbox.ps1 -Folder D:\Outbox -Server relay.example.org -Port 587 -Credential (Get-Credential)
#>
param(
    [Parameter(Mandatory)] [string] $Folder,
    [Parameter(Mandatory)] [string] $Server,
    [int] $Port = 25,
    [pscredential] $Credential,
    [int] $TimeoutSec = 120
)

$ErrorActionPreference = 'Stop'
. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')

$files = @(Get-ChildItem -LiteralPath $Folder -Filter *.eml -File | Sort-Object Name)
if ($files.Count -eq 0) { Write-Output 'Nothing to send.'; exit 0 }

$send = @{ Server = $Server; Port = $Port; TimeoutSec = $TimeoutSec; RecipientsFromHeaders = $true; PassThru = $true }
if ($Credential) { $send.Credential = $Credential }

# Refusals are reported per file below; they must not stop the batch.
$results = $files | Send-RawSmtpMail @send -ErrorAction SilentlyContinue -ErrorVariable failures -WarningAction SilentlyContinue |
    Where-Object { $_ -is [SmtpPs.SmtpMessageResult] }

foreach ($pair in @(@('Delivered', 'sent'), @('Unknown', 'unknown'))) {
    $moved = @($results | Where-Object Status -EQ $pair[0])
    if ($moved.Count) {
        $target = Join-Path $Folder $pair[1]
        $null = New-Item -ItemType Directory -Path $target -Force
        $moved | ForEach-Object { Move-Item -LiteralPath $_.Path -Destination $target }
    }
}

$results | Group-Object Status | Sort-Object Name | ForEach-Object { '{0,-12} {1}' -f $_.Name, $_.Count }
$failures | ForEach-Object { 'ERROR {0}' -f $_ }
if (@($results | Where-Object Status -NE 'Delivered').Count -gt 0) { exit 1 }
exit 0
