<#
.SYNOPSIS
    The main job on the embedded default: build.ps1 -Task Demo runs this in a fresh pwsh.
    Starts the tests' ESMTP server (the module's own capture server, the one Start-SmtpTestServer
    starts, behind a wire tap) on a free loopback port, sends one message file with Send-RawSmtpMail,
    prints the replies, and shows what the server received and what went over the wire.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $TestServerPath,
    [Parameter(Mandatory)] [string] $MessagePath
)

$ErrorActionPreference = 'Stop'
if ([Console]::IsOutputRedirected) { $PSStyle.OutputRendering = 'PlainText' }
Import-Module $ModulePath
Add-Type -Path $TestServerPath

$server = [SmtpPs.TestServer.TappedCaptureServer]::Start()
try {
    Write-Host "SmtpPs's capture server (Start-SmtpTestServer) is listening behind a wire tap on 127.0.0.1:$($server.Port)." -ForegroundColor Cyan
    $relative = [System.IO.Path]::GetRelativePath((Get-Location).Path, $MessagePath)
    Write-Host "PS> Send-RawSmtpMail -Path $relative -From demo@example.org -To you@example.org -Server 127.0.0.1 -Port $($server.Port)" -ForegroundColor Cyan

    $replies = Send-RawSmtpMail -Path $MessagePath -From demo@example.org -To you@example.org -Server 127.0.0.1 -Port $server.Port
    $replies | Format-Table | Out-Host

    if (-not $server.WaitForMessages(1)) { throw 'The server did not store the message.' }
    $message = @($server.Messages)[0]
    Write-Host 'What the server stored:' -ForegroundColor Cyan
    Write-Host "  MAIL FROM:<$($message.From)>  RCPT TO:<$($message.To -join '>, <')>"
    Write-Host ($message.Text.TrimEnd() -replace '(?m)^', '  | ')
    $wire = @($server.Connections)[0].DataSections[0]
    Write-Host "On the wire after 354: $($wire.Length) octets, ending with CRLF.CRLF; the lines starting with '.' went out as '..'." -ForegroundColor Cyan
}
finally {
    $server.Dispose()
}
