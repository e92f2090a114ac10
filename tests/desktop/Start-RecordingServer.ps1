<#
.SYNOPSIS
    The tests in Windows PowerShell 5.1 send to this: the tests' server (the module's capture server behind
    a wire tap), run in pwsh because the capture server needs PowerShell 7 and the wire tap .NET 10. Prints
    'PORT=<port>', serves until a line arrives on standard input, then prints what it received as one JSON
    line 'MESSAGES=[...]' and exits.
#>
param([Parameter(Mandatory)] [string] $ModulePath, [Parameter(Mandatory)] [string] $TestServerPath)
$ErrorActionPreference = 'Stop'
# The capture server is the module's: import it first, in pwsh, so that the tap binds to its assemblies.
Import-Module $ModulePath
Add-Type -LiteralPath $TestServerPath
$server = [SmtpPs.TestServer.TappedCaptureServer]::Start()
try {
    "PORT=$($server.Port)"
    $null = [Console]::In.ReadLine()
    $null = $server.WaitForIdle(5000)
    $messages = @($server.Messages | ForEach-Object { @{ From = $_.From; To = @($_.To); Text = $_.Text } })
    'MESSAGES=' + (ConvertTo-Json -InputObject $messages -Compress -Depth 3)
}
finally { $server.Dispose() }
