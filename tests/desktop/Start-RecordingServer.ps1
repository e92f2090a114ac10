<#
.SYNOPSIS
    The tests in Windows PowerShell 5.1 send to this: the recording test server, run in pwsh because it
    needs .NET 10. Prints 'PORT=<port>', serves until a line arrives on standard input, then prints what
    it received as one JSON line 'MESSAGES=[...]' and exits.
#>
param([Parameter(Mandatory)] [string] $TestServerPath)
$ErrorActionPreference = 'Stop'
Add-Type -LiteralPath $TestServerPath
$server = [SmtpPs.TestServer.RecordingSmtpServer]::Start()
try {
    "PORT=$($server.Port)"
    $null = [Console]::In.ReadLine()
    $null = $server.WaitForIdle(5000)
    $messages = @($server.Messages | ForEach-Object { @{ From = $_.From; To = @($_.To); Text = $_.Text } })
    'MESSAGES=' + (ConvertTo-Json -InputObject $messages -Compress -Depth 3)
}
finally { $server.Dispose() }
