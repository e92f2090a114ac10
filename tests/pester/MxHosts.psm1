# The mail hosts of the MX test zones (Get-MxTestZone), really started: on one shared port, as MX hosts
# all listen on port 25, nothing listens on 127.0.0.4 (MX 10 of example.test), a scripted server greets
# with 421 on 127.0.0.5 (MX 20), and private Postfix instances take mail on 127.0.0.2 (mx-a, also MX 30)
# and 127.0.0.3 (mx-b). Both Postfix instances relay to one recording server, so that every copy of a
# message is counted in one place; the DNS server (unbound) answers for the zones.

Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1')
Import-Module (Join-Path $PSScriptRoot 'Postfix.psm1')
Import-Module (Join-Path $PSScriptRoot 'Dns.psm1')

function Start-MxTestHosts {
    <# Returns Recorder, Port, Busy (the 421 server), MxA, MxB (Postfix directories) and Dns. -ExtraRecords go into the example.test zone. #>
    param([string[]] $ExtraRecords = @(), [string[]] $ServerFailureZone = @())
    $recorder = Start-RecordingServer
    $port = Get-SharedFreeTcpPort '127.0.0.2', '127.0.0.3', '127.0.0.4', '127.0.0.5'
    $busy = [SmtpPs.TestServer.ScriptedSmtpServer]::StartOn(@('reply 421 4.3.2 mx2.example.test busy, try later'), '127.0.0.5', $port)
    $mxA = Start-PrivatePostfix -Port $port -RelayPort $recorder.Port -ListenAddress '127.0.0.2' -HostName 'mx-a.example.test'
    $mxB = Start-PrivatePostfix -Port $port -RelayPort $recorder.Port -ListenAddress '127.0.0.3' -HostName 'mx-b.example.test'
    $zone = Get-MxTestZone -Unreachable 127.0.0.4 -Refusing 127.0.0.5 -Accepting 127.0.0.2 -SecondAccepting 127.0.0.3
    $zone['example.test'] += $ExtraRecords
    $dns = Start-TestDnsServer -Zone $zone -ServerFailureZone $ServerFailureZone
    [pscustomobject]@{ Recorder = $recorder; Port = $port; Busy = $busy; MxA = $mxA; MxB = $mxB; Dns = $dns }
}

function Stop-MxTestHosts($Hosts) {
    if (-not $Hosts) { return }
    Stop-TestDnsServer $Hosts.Dns
    Stop-PrivatePostfix $Hosts.MxA
    Stop-PrivatePostfix $Hosts.MxB
    $Hosts.Busy.Dispose()
    $Hosts.Recorder.Dispose()
}

Export-ModuleMember -Function Start-MxTestHosts, Stop-MxTestHosts
