<#
.SYNOPSIS
    Monitoring probe: alerts when an SMTP server's certificate expires within a number of days.
.DESCRIPTION
    Runs Test-SmtpServer against each server, sends no mail, and writes one line per server. A
    certificate that expires within -Days (or has expired, or cannot be had at all) is an alert:
    the script then exits 2, which monitoring systems (Nagios, Zabbix, a scheduled task's history)
    read as critical.
.EXAMPLE
    ./Watch-SmtpCertificate.ps1 -Server smtp.example.org:587, mx1.example.org:25, smtp.example.org:465
#>
param(
    [Parameter(Mandatory)] [string[]] $Server,
    [int] $Days = 14,
    [int] $TimeoutSec = 30,
    # For test labs: accept a self-signed certificate and still report its expiry.
    [switch] $SkipCertificateCheck
)

. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')
$alert = $false
foreach ($target in $Server) {
    $name, $port = $target -split ':'
    $port = if ($port) { [int]$port } else { 25 }
    $probe = Test-SmtpServer -Server $name -Port $port -TimeoutSec $TimeoutSec -TlsMode $(if ($port -eq 465) { 'Implicit' } else { 'StartTls' }) `
        -SkipCertificateCheck:$SkipCertificateCheck -ErrorAction SilentlyContinue
    if ($null -eq $probe.CertificateDaysLeft) {
        $alert = $true
        "CRITICAL ${name}:$port no certificate: $($probe.Error)"
    }
    elseif ($probe.CertificateDaysLeft -lt $Days) {
        $alert = $true
        "CRITICAL ${name}:$port certificate $($probe.CertificateSubject) expires in $($probe.CertificateDaysLeft) days ($('{0:yyyy-MM-dd}' -f $probe.CertificateNotAfter))"
    }
    else {
        "OK ${name}:$port certificate $($probe.CertificateSubject) valid for $($probe.CertificateDaysLeft) days, $($probe.TlsProtocol)"
    }
}
exit $(if ($alert) { 2 } else { 0 })
