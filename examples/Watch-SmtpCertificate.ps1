<#
.SYNOPSIS
    Monitoring probe: alerts when an SMTP server's certificate fails validation or expires within a number of days.
.DESCRIPTION
    Runs Test-SmtpServer against each server, sends no mail, and writes one line per server. It is an
    alert (CRITICAL, and the script exits 2, which monitoring systems such as Nagios, Zabbix or a
    scheduled task's history read as critical) when the certificate:
    - was refused by validation (untrusted issuer, a name that does not match, expired): the line
      says why, since a client that validates would not send mail to that server;
    - expires within -Days, or has expired;
    - cannot be had at all (no TLS, no connection).
    Otherwise the line says OK and the script exits 0.

    With -SkipCertificateCheck (test labs with self-signed certificates), the certificate is not
    validated and only its expiry can make an alert; a certificate that validation would have refused
    is still OK, with a note that says what validation would have said. Asking for
    -SkipCertificateCheck says that an untrusted certificate is expected there, so a warning on every
    run would only teach people to ignore the probe; the note keeps it visible in the output.
.PARAMETER Server
    One or more servers as name:port (port 25 when left out; [IPv6]:port for an IPv6 address). From
    PowerShell give an array; from a shell (pwsh -File) give one comma-separated argument, without
    spaces or quoted: -Server smtp.example.org:587,mx1.example.org:25.
.EXAMPLE
    ./Watch-SmtpCertificate.ps1 -Server smtp.example.org:587, mx1.example.org:25, smtp.example.org:465
.EXAMPLE
    # cron, Nagios or a scheduled task, from a shell:
    pwsh -NoProfile -File Watch-SmtpCertificate.ps1 -Server smtp.example.org:587,mx1.example.org:25 -Days 21
#>
param(
    [Parameter(Mandatory)] [string[]] $Server,
    [int] $Days = 14,
    [int] $TimeoutSec = 30,
    # For test labs: accept a certificate that fails validation and still report its expiry.
    [switch] $SkipCertificateCheck
)

. (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')

function Get-DayWord([int] $count) { if ([math]::Abs($count) -eq 1) { 'day' } else { 'days' } }

# pwsh -File passes "a:587,b:25" as one string; PowerShell passes an array. Both become one list.
$targets = @($Server -split ',' | ForEach-Object { $_.Trim() } | Where-Object { $_ })
$alert = $false
foreach ($target in $targets) {
    if ($target -notmatch '^(?:\[(?<name>[^\]]+)\]|(?<name>[^:\[\]]+))(?::(?<port>\d{1,5}))?$') {
        $alert = $true
        "CRITICAL $target is not name:port"
        continue
    }
    $name = $Matches.name
    $port = if ($Matches.port) { [int]$Matches.port } else { 25 }
    $where = if ($name.Contains(':')) { "[$name]:$port" } else { "${name}:$port" }
    $probe = Test-SmtpServer -Server $name -Port $port -TimeoutSec $TimeoutSec -TlsMode $(if ($port -eq 465) { 'Implicit' } else { 'StartTls' }) `
        -SkipCertificateCheck:$SkipCertificateCheck -ErrorAction SilentlyContinue
    $until = if ($probe.CertificateNotAfter) { '{0:yyyy-MM-dd}' -f $probe.CertificateNotAfter }
    if ($null -eq $probe.CertificateDaysLeft) {
        $alert = $true
        "CRITICAL $where no certificate: $($probe.Error)"
    }
    elseif ($probe.CertificateValidation -like 'Refused*') {
        # Test-SmtpServer describes a refused certificate too; its days left must not make it OK.
        $alert = $true
        "CRITICAL $where certificate $($probe.CertificateSubject) refused by validation: $($probe.CertificateValidation -replace '^Refused:?\s*'); valid until $until"
    }
    elseif ($probe.CertificateDaysLeft -lt 0) {
        $alert = $true
        $ago = [int][math]::Floor(([datetime]::UtcNow - $probe.CertificateNotAfter.ToUniversalTime()).TotalDays)
        "CRITICAL $where certificate $($probe.CertificateSubject) expired $ago $(Get-DayWord $ago) ago ($until)"
    }
    elseif ($probe.CertificateDaysLeft -lt $Days) {
        $alert = $true
        "CRITICAL $where certificate $($probe.CertificateSubject) expires in $($probe.CertificateDaysLeft) $(Get-DayWord $probe.CertificateDaysLeft) ($until)"
    }
    else {
        # "Skipped (not checked on request; <what validation would have said>)" unless it was valid.
        $note = if ($probe.CertificateValidation -like 'Skipped*' -and $probe.CertificateValidation -notlike '*it was valid*') {
            "; not validated (-SkipCertificateCheck): $($probe.CertificateValidation -replace '^Skipped \(not checked on request; (.*)\)$', '$1')"
        }
        "OK $where certificate $($probe.CertificateSubject) valid for $($probe.CertificateDaysLeft) $(Get-DayWord $probe.CertificateDaysLeft) (until $until), $($probe.TlsProtocol)$note"
    }
}
exit $(if ($alert) { 2 } else { 0 })
