<#
.SYNOPSIS
    Measures SmtpPs against its peers in one command and writes bench/RESULTS.md.
.DESCRIPTION
    Also measures SmtpPs's own capture server (Start-SmtpTestServer, in the client's process) against
    smtp-sink with the same client (W6).
    Starts Postfix's smtp-sink on loopback ports (one with PIPELINING, one without), a private Postfix
    (PIPELINING and CHUNKING) relaying to the sink, and delaying relays (20 ms each way) in front of
    them; then runs, in the same command, SmtpPs (send alone, timed inside pwsh, and the whole process:
    pwsh start, Import-Module, send), MailKit 4.18.2 and System.Net.Mail (bench/SmtpPs.Bench), Postfix's
    smtp-source (the C lower bound) and Send-MailMessage. Medians of -Runs runs; ratios are computed
    from the same run. Only loopback addresses are used. Needs Debian's postfix package and root.

    Cold start (what a scheduled script pays, a new process each time), every process started the same
    way, in turns: (a) pwsh with Import-Module against bare pwsh; (b) pwsh with Import-Module and one
    message against pwsh with one Send-MailMessage; (c) W1 in one cold process, less a bare pwsh start,
    against MailKit's whole process. -BaselineModulePath measures another build of SmtpPs (an earlier
    commit's) in the same turns, for before and after.
.EXAMPLE
    dotnet pwsh ./build.ps1 -Task Bench
.EXAMPLE
    dotnet pwsh bench/run.ps1 -ModulePath output/SmtpPs/0.1.0/SmtpPs.psd1 -Sections ColdStart -BaselineModulePath /tmp/before/SmtpPs.psd1 -BaselineName 'before (735cc7d)'
    Measures only the cold start, this build against an earlier one (several: comma-separated paths and names),
    and replaces that section of RESULTS.md.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [int] $Runs = 3,
    # Leaves out the 1 GB file of W5 and uses fewer messages in W1.
    [switch] $Quick,
    [string] $ResultsPath = (Join-Path $PSScriptRoot 'RESULTS.md'),
    # ColdStart alone replaces only that section of an existing RESULTS.md.
    [ValidateSet('All', 'ColdStart')] [string] $Sections = 'All',
    # Runs of each process in the cold-start measurement.
    [int] $ColdRuns = 11,
    # Other builds of the module (an earlier commit's), measured in the same cold-start turns, and their names.
    [string[]] $BaselineModulePath = @(),
    [string[]] $BaselineName = @()
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$root = Split-Path $PSScriptRoot
# From 'pwsh -File', a list arrives as one comma-separated string.
$BaselineModulePath = @($BaselineModulePath | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
$BaselineName = @($BaselineName | ForEach-Object { $_ -split ',' } | Where-Object { $_ })
Import-Module (Join-Path $root 'tests/pester/Postfix.psm1')
if ($reason = Get-PostfixSkipReason) { throw "The benchmark needs Postfix's smtp-sink and smtp-source: $reason" }

& dotnet build (Join-Path $PSScriptRoot 'SmtpPs.Bench') -c Release --nologo -v quiet '-clp:NoSummary' | Out-Host
if ($LASTEXITCODE) { throw 'Building bench/SmtpPs.Bench failed.' }
$benchDll = Join-Path $PSScriptRoot 'SmtpPs.Bench/bin/Release/net10.0/SmtpPs.Bench.dll'
Import-Module (Join-Path $root 'tools/Pwsh.psm1')
$pwsh = @(Get-PwshCommand)

$work = Join-Path ([System.IO.Path]::GetTempPath()) "smtpps-bench-$PID"
$null = New-Item -ItemType Directory -Path $work -Force

function Get-FreePort {
    $l = [System.Net.Sockets.TcpListener]::new([System.Net.IPAddress]::Loopback, 0); $l.Start()
    try { $l.LocalEndpoint.Port } finally { $l.Stop() }
}

function New-Message([string] $Path, [long] $BodyBytes, [switch] $Dots) {
    # 76-character lines; with -Dots every third line starts with '.', which DATA must stuff.
    $stream = [System.IO.File]::Create($Path)
    try {
        $header = [System.Text.Encoding]::ASCII.GetBytes("From: bench@example.org`r`nTo: rcpt1@example.org`r`nSubject: bench`r`nMessage-ID: <bench@example.org>`r`n`r`n")
        $stream.Write($header, 0, $header.Length)
        $plain = [System.Text.Encoding]::ASCII.GetBytes(('abcdefghij' * 8).Substring(0, 76) + "`r`n")
        $dotted = [System.Text.Encoding]::ASCII.GetBytes('.' + ('abcdefghij' * 8).Substring(0, 75) + "`r`n")
        $block = [System.IO.MemoryStream]::new()
        for ($i = 0; $i -lt 840; $i++) { $line = if ($Dots -and $i % 3 -eq 0) { $dotted } else { $plain }; $block.Write($line, 0, $line.Length) }
        $bytes = $block.ToArray()
        for ($written = 0L; $written -lt $BodyBytes; $written += $bytes.Length) {
            $n = [int][Math]::Min($bytes.Length, $BodyBytes - $written)
            $n -= $n % 78; if ($n -le 0) { $n = 78 }
            $stream.Write($bytes, 0, $n)
        }
    }
    finally { $stream.Dispose() }
    return $Path
}

function Invoke-Child([string[]] $Command) {
    $timer = [System.Diagnostics.Stopwatch]::StartNew()
    $output = & $Command[0] @($Command | Select-Object -Skip 1) 2>&1
    $timer.Stop()
    if ($LASTEXITCODE) { throw "$($Command -join ' ') failed: $output" }
    [pscustomobject]@{ Output = @($output); Seconds = $timer.Elapsed.TotalSeconds }
}

$smtpPsScript = Join-Path $work 'smtpps.ps1'
@'
param($Module, $Port, $Count, $Recipients, $File, $Mode, $Warm)
Import-Module $Module
# Port 'capture': SmtpPs's own capture server, in this process, as a Pester run has it.
if ($Port -eq 'capture') { $capture = Start-SmtpTestServer; $Port = $capture.Port }
$files = @($File) * $Count
$to = 1..$Recipients | ForEach-Object { "rcpt$_@example.org" }
$send = @{ From = 'bench@example.org'; To = $to; Server = '127.0.0.1'; Port = $Port; TimeoutSec = 600; ErrorAction = 'Stop' }
# "Send alone" is the workload's second run in the same process: what a batch pays per message once
# warm, not the JIT's first tiers (MailKit is measured the same way). The whole-process time includes both.
foreach ($round in 1..$(if ($Warm -eq 'warm') { 2 } else { 1 })) {
    $timer = [System.Diagnostics.Stopwatch]::StartNew()
    # The replies are discarded as a batch script would ($null =), not piped through Out-Null.
    if ($Mode -eq 'piped') { $null = $files | Send-RawSmtpMail @send } else { $null = Send-RawSmtpMail -LiteralPath $files @send }
    $timer.Stop()
}
$rss = [double](((Get-Content /proc/self/status) -match '^VmHWM:')[0] -split '\s+')[1] / 1024
if ($capture -and @($capture.Messages).Count -ne [int]$Count * $(if ($Warm -eq 'warm') { 2 } else { 1 })) { throw "The capture server holds $(@($capture.Messages).Count) messages." }
'{{"seconds":{0},"peakRssMb":{1:F1}}}' -f $timer.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture), $rss
'@ | Set-Content -LiteralPath $smtpPsScript

$smmScript = Join-Path $work 'send-mailmessage.ps1'
@'
param($Port, $Count, $Recipients, $File)
$body = [System.IO.File]::ReadAllText($File)
$to = 1..$Recipients | ForEach-Object { "rcpt$_@example.org" }
$timer = [System.Diagnostics.Stopwatch]::StartNew()
for ($i = 0; $i -lt $Count; $i++) {
    Send-MailMessage -SmtpServer 127.0.0.1 -Port $Port -From bench@example.org -To $to -Subject bench -Body $body -WarningAction SilentlyContinue
}
$timer.Stop()
'{{"seconds":{0},"peakRssMb":0}}' -f $timer.Elapsed.TotalSeconds.ToString([cultureinfo]::InvariantCulture)
'@ | Set-Content -LiteralPath $smmScript

function Measure-Client([string] $Client, $Port, [int] $Count, [int] $Recipients, [string] $File, [string] $Warm) {
    switch ($Client) {
        { $_ -in 'SmtpPs', 'SmtpPs (piped)' } {
            $mode = if ($Client -eq 'SmtpPs (piped)') { 'piped' } else { 'array' }
            $run = Invoke-Child (@($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $smtpPsScript, $ModulePath, $Port, $Count, $Recipients, $File, $mode, $Warm))
            $json = $run.Output[-1] | ConvertFrom-Json
            [pscustomobject]@{ Seconds = [double]$json.seconds; Whole = $run.Seconds; RssMb = [double]$json.peakRssMb }
        }
        'smtp-source' {
            $to = 'rcpt@example.org'
            $run = Invoke-Child @('/usr/sbin/smtp-source', '-d', '-s', '1', '-m', $Count, '-r', $Recipients, '-F', $File, '-f', 'bench@example.org', '-t', $to, '-M', 'bench.example.org', "127.0.0.1:$Port")
            [pscustomobject]@{ Seconds = $run.Seconds; Whole = $run.Seconds; RssMb = 0 }
        }
        'Send-MailMessage' {
            $run = Invoke-Child (@($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $smmScript, $Port, $Count, $Recipients, $File))
            $json = $run.Output[-1] | ConvertFrom-Json
            [pscustomobject]@{ Seconds = [double]$json.seconds; Whole = $run.Seconds; RssMb = 0 }
        }
        default {
            $kind = @{ MailKit = 'mailkit'; 'System.Net.Mail' = 'netmail' }[$Client]
            $run = Invoke-Child @('dotnet', $benchDll, $kind, '127.0.0.1', $Port, $Count, $Recipients, $File, $Warm)
            $json = $run.Output[-1] | ConvertFrom-Json
            [pscustomobject]@{ Seconds = [double]$json.seconds; Whole = $run.Seconds; RssMb = [double]$json.peakRssMb }
        }
    }
}

function Get-Median([double[]] $Values) {
    $sorted = @($Values | Sort-Object)
    if ($sorted.Count % 2) { $sorted[[int][Math]::Floor($sorted.Count / 2)] } else { ($sorted[$sorted.Count / 2 - 1] + $sorted[$sorted.Count / 2]) / 2 }
}

function Measure-Workload([string] $Name, [string[]] $Clients, $Port, [int] $Count, [int] $Recipients, [string] $File, [int] $RunCount = $Runs, [string] $Warm = 'warm') {
    foreach ($client in $Clients) {
        $samples = @(for ($r = 0; $r -lt $RunCount; $r++) { Measure-Client $client $Port $Count $Recipients $File $Warm })
        [pscustomobject]@{
            Workload = $Name; Client = $client; Count = $Count
            Seconds = Get-Median $samples.Seconds; Whole = Get-Median $samples.Whole; RssMb = Get-Median $samples.RssMb
        }
        Write-Host ("  {0,-4} {1,-17} {2,9:F3} s (whole process {3,7:F3} s), peak RSS {4,6:F1} MB" -f $Name, $client, (Get-Median $samples.Seconds), (Get-Median $samples.Whole), (Get-Median $samples.RssMb))
    }
}

function Measure-ColdStart([int] $Port, [string] $File, [int] $Count) {
    <#
    Medians of -ColdRuns turns; in each turn every kind of process runs once, so that what else the
    machine does falls on all of them alike. Returns kind -> median seconds (whole process, as the shell
    that starts it sees it).
    #>
    $modules = [ordered]@{ now = (Resolve-Path -LiteralPath $ModulePath).Path }
    for ($i = 0; $i -lt $BaselineModulePath.Count; $i++) {
        $name = if ($i -lt $BaselineName.Count) { $BaselineName[$i] } else { "baseline $($i + 1)" }
        $modules[$name] = (Resolve-Path -LiteralPath $BaselineModulePath[$i]).Path
    }
    # The first Import-Module of a process costs PowerShell's module machinery its start whatever the
    # module; a module with nothing in it measures that floor.
    $empty = Join-Path $work 'Empty/Empty.psd1'
    $null = New-Item -ItemType Directory -Path (Split-Path $empty) -Force
    Set-Content -LiteralPath $empty -Value "@{ ModuleVersion = '1.0.0'; GUID = '$([guid]::NewGuid())'; FunctionsToExport = @(); CmdletsToExport = @() }"
    $kinds = [ordered]@{
        'bare'  = @($pwsh) + @('-NoProfile', '-NonInteractive', '-Command', 'exit')
        'empty' = @($pwsh) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$empty'")
    }
    foreach ($name in $modules.Keys) {
        $kinds["import $name"] = @($pwsh) + @('-NoProfile', '-NonInteractive', '-Command', "Import-Module '$($modules[$name])'")
        $kinds["one $name"] = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $smtpPsScript, $modules[$name], $Port, 1, 1, $File, 'array', 'cold')
        $kinds["w1 $name"] = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $smtpPsScript, $modules[$name], $Port, $Count, 1, $File, 'array', 'cold')
    }
    $kinds['Send-MailMessage'] = @($pwsh) + @('-NoProfile', '-NonInteractive', '-File', $smmScript, $Port, 1, 1, $File)
    $kinds['MailKit'] = @('dotnet', $benchDll, 'mailkit', '127.0.0.1', $Port, $Count, 1, $File, 'cold')
    # CPU seconds (user and system, the process and its threads) too, from GNU time where it is
    # installed: on a machine other work shares, they move less than wall-clock seconds.
    $time = if (Test-Path /usr/bin/time) { '/usr/bin/time' }
    $samples = @{}; $cpu = @{}
    for ($turn = 0; $turn -lt $ColdRuns; $turn++) {
        foreach ($kind in $kinds.Keys) {
            $command = if ($time) { @($time, '-f', 'CPU %U %S') + $kinds[$kind] } else { $kinds[$kind] }
            $run = Invoke-Child $command
            $samples[$kind] += , $run.Seconds
            $line = @($run.Output | Where-Object { "$_" -like 'CPU *' }) | Select-Object -Last 1
            if ($line) { $cpu[$kind] += , (("$line" -split ' ')[1..2] | ForEach-Object { [double]::Parse($_, [cultureinfo]::InvariantCulture) } | Measure-Object -Sum).Sum }
        }
    }
    $medians = [ordered]@{}; $cpuMedians = [ordered]@{}
    foreach ($kind in $kinds.Keys) {
        $medians[$kind] = Get-Median $samples[$kind]
        $cpuMedians[$kind] = if ($cpu[$kind]) { Get-Median $cpu[$kind] } else { $null }
        Write-Host ('  {0,-28} {1,7:F3} s, CPU {2,7:F3} s' -f $kind, $medians[$kind], $cpuMedians[$kind])
    }
    [pscustomobject]@{ Modules = @($modules.Keys); Medians = $medians; Cpu = $cpuMedians; Count = $Count }
}

function Get-ColdStartSection($ColdStart) {
    $m = $ColdStart.Medians
    $c = $ColdStart.Cpu
    $names = $ColdStart.Modules
    $hasCpu = $null -ne $c['bare']
    function Cell([string] $kind) { if ($hasCpu) { '{0:F3} s ({1:F3} s CPU)' -f $m[$kind], $c[$kind] } else { '{0:F3} s' -f $m[$kind] } }
    $section = [System.Collections.Generic.List[string]]::new()
    $section.Add('## Cold start: a new process each time, as a scheduled script runs')
    $section.Add('')
    $section.Add("Measured on $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC: medians of $ColdRuns turns; in each turn every process below ran once, started the same way (``$(Split-Path -Leaf $pwsh[-1]) -NoProfile -NonInteractive``, or ``dotnet SmtpPs.Bench.dll`` for MailKit), so that the load of the machine fell on all alike. Seconds are whole processes as the starting shell saw them. $(if ($names.Count -gt 1) { "$((@($names | Select-Object -Skip 1) | ForEach-Object { '`' + $_ + '`' }) -join ' and ') $(if ($names.Count -gt 2) { 'are other builds' } else { 'is another build' }) of SmtpPs measured in the same turns." })")
    $section.Add('')
    $section.Add('Where the time goes, why the goals are missed and what was tried: `bench/COLDSTART.md`.')
    $section.Add('')
    $section.Add("| Process | $($names -join ' | ') |")
    $section.Add("|---|$(($names | ForEach-Object { '---:' }) -join '|')|")
    $section.Add("| pwsh alone (exit) | $(($names | ForEach-Object { Cell 'bare' }) -join ' | ') |")
    $section.Add("| pwsh, Import-Module of an empty module | $(($names | ForEach-Object { Cell 'empty' }) -join ' | ') |")
    $section.Add("| pwsh, Import-Module SmtpPs | $(($names | ForEach-Object { Cell "import $_" }) -join ' | ') |")
    $section.Add("| pwsh, Import-Module SmtpPs, one message | $(($names | ForEach-Object { Cell "one $_" }) -join ' | ') |")
    $section.Add("| pwsh, Send-MailMessage, one message | $(($names | ForEach-Object { Cell 'Send-MailMessage' }) -join ' | ') |")
    $section.Add("| pwsh, Import-Module SmtpPs, W1 ($($ColdStart.Count) messages, one connection) | $(($names | ForEach-Object { Cell "w1 $_" }) -join ' | ') |")
    $section.Add("| MailKit, W1 (whole process) | $(($names | ForEach-Object { Cell 'MailKit' }) -join ' | ') |")
    $section.Add('')
    $section.Add("| Target | $($names -join ' | ') | Goal |")
    $section.Add("|---|$(($names | ForEach-Object { '---:' }) -join '|')|---|")
    foreach ($label in @('wall') + @(if ($hasCpu) { 'CPU' })) {
        $v = if ($label -eq 'wall') { $m } else { $c }
        $section.Add("| (a) what Import-Module adds to pwsh alone, $label | $(($names | ForEach-Object { '{0:+0;-0} ms' -f (1000 * ($v["import $_"] - $v['bare'])) }) -join ' | ') | under 50 ms |")
        $section.Add("| (a') what Import-Module SmtpPs adds over an empty module, $label | $(($names | ForEach-Object { '{0:+0;-0} ms' -f (1000 * ($v["import $_"] - $v['empty'])) }) -join ' | ') | |")
        $section.Add("| (b) import and one message, against Send-MailMessage, $label | $(($names | ForEach-Object { Ratio $v["one $_"] $v['Send-MailMessage'] }) -join ' | ') | 1.00 or less |")
        $section.Add("| (c) W1 less pwsh's start, against MailKit's whole process, $label | $(($names | ForEach-Object { Ratio ($v["w1 $_"] - $v['bare']) $v['MailKit'] }) -join ' | ') | 1.00 or less |")
    }
    return $section
}

$started = @()
$postfixDir = $null
try {
    Write-Host 'Preparing messages...'
    $w1 = New-Message (Join-Path $work 'w1.eml') 900
    $sinkDump = Join-Path $work 'sink'; $null = New-Item -ItemType Directory $sinkDump -Force; & chown postfix $sinkDump
    $pipelined = Get-FreePort
    $started += Start-Process /usr/sbin/smtp-sink -ArgumentList @('-u', 'postfix', "127.0.0.1:$pipelined", '256') -PassThru
    $results = [System.Collections.Generic.List[object]]::new()
    $w1Count = if ($Quick) { 300 } else { 1000 }
    if ($Sections -eq 'All') {
        $w2 = New-Message (Join-Path $work 'w2.eml') (50MB) -Dots
        $w5 = [ordered]@{ '1 MB' = 1MB; '10 MB' = 10MB; '100 MB' = 100MB }
        if (-not $Quick) { $w5['1 GB'] = 1GB }
        $w5Files = [ordered]@{}
        foreach ($size in $w5.Keys) { $w5Files[$size] = New-Message (Join-Path $work "w5-$($size -replace ' ').eml") $w5[$size] }

        $plain = Get-FreePort
        $started += Start-Process /usr/sbin/smtp-sink -ArgumentList @('-u', 'postfix', '-p', "127.0.0.1:$plain", '256') -PassThru
        $postfixPort = Get-FreePort
        $postfixDir = Start-PrivatePostfix -Port $postfixPort -RelayPort $pipelined
        $delayed = [ordered]@{}
        foreach ($target in @(@('PIPELINING (smtp-sink)', $pipelined), @('no PIPELINING (smtp-sink -p)', $plain), @('PIPELINING + CHUNKING (Postfix)', $postfixPort))) {
            $listen = Get-FreePort
            $started += Start-Process dotnet -ArgumentList @($benchDll, 'relay', $listen, $target[1], 20, 3600) -PassThru
            $delayed[$target[0]] = $listen
        }
        Start-Sleep -Seconds 2

        $all = @('SmtpPs', 'MailKit', 'System.Net.Mail', 'smtp-source')
        Write-Host 'W1: 1,000 messages of ~1 KB, one connection'
        Measure-Workload 'W1' ($all + 'SmtpPs (piped)' + 'Send-MailMessage') $pipelined $w1Count 1 $w1 | ForEach-Object { $results.Add($_) }
        Write-Host 'W2: one 50 MB message, lines starting with dots'
        Measure-Workload 'W2' $all $pipelined 1 1 $w2 | ForEach-Object { $results.Add($_) }
        Write-Host 'W3: 100 messages x 20 recipients'
        Measure-Workload 'W3' $all $pipelined 100 20 $w1 | ForEach-Object { $results.Add($_) }
        foreach ($name in $delayed.Keys) {
            Write-Host "W4: 20 messages through a relay adding 20 ms each way, $name"
            Measure-Workload "W4 $name" @('SmtpPs', 'MailKit', 'System.Net.Mail', 'smtp-source') $delayed[$name] 20 1 $w1 | ForEach-Object { $results.Add($_) }
        }
        Write-Host "W6: the capture server (in the client's process) against smtp-sink, same client"
        Measure-Workload 'W6 capture' @('SmtpPs') 'capture' $w1Count 1 $w1 | ForEach-Object { $results.Add($_) }
        Measure-Workload 'W6 capture 50 MB' @('SmtpPs') 'capture' 1 1 $w2 $Runs 'cold' | ForEach-Object { $results.Add($_) }
        Measure-Workload 'W6 sink 50 MB' @('SmtpPs') $pipelined 1 1 $w2 $Runs 'cold' | ForEach-Object { $results.Add($_) }
        foreach ($size in $w5Files.Keys) {
            Write-Host "W5: one message of $size"
            Measure-Workload "W5 $size" @('SmtpPs', 'MailKit') $pipelined 1 1 $w5Files[$size] 1 'cold' | ForEach-Object { $results.Add($_) }
        }
    }
    Write-Host "Cold start: $ColdRuns turns of new processes"
    $coldStart = Measure-ColdStart $pipelined $w1 $w1Count
}
finally {
    $started | ForEach-Object { if (-not $_.HasExited) { $_.Kill() } }
    if ($postfixDir) { Stop-PrivatePostfix $postfixDir }
    Remove-Item -LiteralPath $work -Recurse -Force -ErrorAction SilentlyContinue
}

function Find([string] $Workload, [string] $Client) { $results | Where-Object { $_.Workload -eq $Workload -and $_.Client -eq $Client } }
function Ratio([double] $a, [double] $b) { if ($b -gt 0) { '{0:F2}' -f ($a / $b) } else { 'n/a' } }

if ($Sections -eq 'ColdStart') {
    # Only this section is new: the rest of RESULTS.md stays as its own run wrote it.
    $section = (Get-ColdStartSection $coldStart) -join "`n"
    $existing = if (Test-Path -LiteralPath $ResultsPath) { Get-Content -LiteralPath $ResultsPath -Raw } else { "# Benchmark results`n" }
    $pattern = '(?ms)^## Cold start.*?(?=^## |\z)'
    $updated = if ($existing -match $pattern) { [regex]::Replace($existing, $pattern, { param($x) "$section`n`n" }) } else { $existing.TrimEnd() + "`n`n$section`n" }
    Set-Content -LiteralPath $ResultsPath -Value $updated.TrimEnd() -NoNewline
    Add-Content -LiteralPath $ResultsPath -Value ''
    Write-Host "Wrote the cold-start section of $ResultsPath"
    return
}

$lines = [System.Collections.Generic.List[string]]::new()
$lines.Add('# Benchmark results')
$lines.Add('')
$lines.Add("Made by ``./build.ps1 -Task Bench`` (``bench/run.ps1``) on $(Get-Date -Format 'yyyy-MM-dd HH:mm') UTC, medians of $Runs runs (W5: one run per size).")
$lines.Add('')
$cpu = ((Get-Content /proc/cpuinfo) -match '^model name' | Select-Object -First 1) -replace '^model name\s*:\s*'
$memory = [Math]::Round((((Get-Content /proc/meminfo) -match '^MemTotal')[0] -split '\s+')[1] / 1MB, 1)
$lines.Add("Machine: $(nproc) cores ($cpu), $memory GiB, $((Get-Content /etc/os-release) -match '^PRETTY_NAME' -replace 'PRETTY_NAME=|\"'), .NET $([Environment]::Version), PowerShell $($PSVersionTable.PSVersion), Postfix $((& /usr/sbin/postconf -d mail_version) -replace 'mail_version = '). Everything on loopback.")
$lines.Add('')
$lines.Add('Seconds are the send alone, timed inside the client process: for SmtpPs and MailKit the second run of the workload in the same process (what a batch pays once warm; W5 is one cold run), for System.Net.Mail one run after a warm-up message; for SmtpPs the whole process (pwsh start, Import-Module, both runs) is shown too. Both start from the file on disk for every message: SmtpPs reads (and pre-checks) it, MailKit loads it with MimeMessage.Load. smtp-source and Send-MailMessage are timed whole. SmtpPs gets the files as one -LiteralPath array; "SmtpPs (piped)" pipes them one by one (Get-ChildItem style), paying PowerShell''s per-object parameter binding. Ratios are from the same run.')
$lines.Add('')

$lines.Add('## W1, W3: throughput (messages per second, send alone)')
$lines.Add('')
$lines.Add('| Client | W1 msg/s | W1 whole process s | W3 msg/s | vs MailKit (W1) | vs smtp-source (W1) |')
$lines.Add('|---|---:|---:|---:|---:|---:|')
foreach ($client in @('SmtpPs', 'SmtpPs (piped)', 'MailKit', 'System.Net.Mail', 'smtp-source', 'Send-MailMessage')) {
    $a = Find 'W1' $client; $c = Find 'W3' $client
    if (-not $a) { continue }
    $rate = $a.Count / $a.Seconds
    $w3 = if ($c) { '{0:F0}' -f ($c.Count / $c.Seconds) } else { 'n/a' }
    $lines.Add(('| {0} | {1:F0} | {2:F2} | {3} | {4} | {5} |' -f $client, $rate, $a.Whole, $w3, (Ratio $rate ((Find 'W1' 'MailKit').Count / (Find 'W1' 'MailKit').Seconds)), (Ratio $rate ((Find 'W1' 'smtp-source').Count / (Find 'W1' 'smtp-source').Seconds))))
}
$lines.Add('')
$lines.Add('## W2: one 50 MB message of 76-character lines, a third of them starting with a dot')
$lines.Add('')
$lines.Add('| Client | MB/s | Peak RSS MB | vs MailKit (MB/s) | vs smtp-source (MB/s) |')
$lines.Add('|---|---:|---:|---:|---:|')
foreach ($client in $all) {
    $r = Find 'W2' $client
    $mbps = 50 / $r.Seconds
    $lines.Add(('| {0} | {1:F1} | {2} | {3} | {4} |' -f $client, $mbps, $(if ($r.RssMb) { '{0:F0}' -f $r.RssMb } else { 'n/a' }), (Ratio $mbps (50 / (Find 'W2' 'MailKit').Seconds)), (Ratio $mbps (50 / (Find 'W2' 'smtp-source').Seconds))))
}
$lines.Add('')
$lines.Add('## W4: 20 messages through a relay adding 20 ms each way (40 ms per round trip)')
$lines.Add('')
$lines.Add('Round trips per message = seconds / 20 / 0.040.')
$lines.Add('')
$lines.Add('| Server | SmtpPs | MailKit | System.Net.Mail | smtp-source |')
$lines.Add('|---|---:|---:|---:|---:|')
foreach ($name in $delayed.Keys) {
    $cells = foreach ($client in @('SmtpPs', 'MailKit', 'System.Net.Mail', 'smtp-source')) { '{0:F2}' -f ((Find "W4 $name" $client).Seconds / 20 / 0.040) }
    $lines.Add("| $name | $($cells -join ' | ') |")
}
$lines.Add('')
$lines.Add('## W5: peak RSS by message size (one message, one run each)')
$lines.Add('')
$lines.Add('| Size | SmtpPs peak RSS MB | SmtpPs s | MailKit peak RSS MB |')
$lines.Add('|---|---:|---:|---:|')
foreach ($size in $w5Files.Keys) {
    $s = Find "W5 $size" 'SmtpPs'; $m = Find "W5 $size" 'MailKit'
    $lines.Add(('| {0} | {1:F1} | {2:F2} | {3:F1} |' -f $size, $s.RssMb, $s.Seconds, $m.RssMb))
}
$lines.Add('')
$lines.Add('## W6: the capture server (Start-SmtpTestServer) against smtp-sink')
$lines.Add('')
$lines.Add("The same SmtpPs client, the same messages; the capture server runs in the client's own pwsh, as in a Pester run, and keeps every message (smtp-sink keeps nothing). Target: no more than 3 times smtp-sink's time for W1.")
$lines.Add('')
$lines.Add('| Workload | smtp-sink s | capture server s | capture / sink |')
$lines.Add('|---|---:|---:|---:|')
$sink = Find 'W1' 'SmtpPs'; $capture = Find 'W6 capture' 'SmtpPs'
$lines.Add(('| {0:N0} messages of ~1 KB, one connection | {1:F3} | {2:F3} | {3} |' -f $sink.Count, $sink.Seconds, $capture.Seconds, (Ratio $capture.Seconds $sink.Seconds)))
$sink = Find 'W6 sink 50 MB' 'SmtpPs'; $capture = Find 'W6 capture 50 MB' 'SmtpPs'
$lines.Add(('| one 50 MB message (cold) | {0:F3} | {1:F3} | {2} |' -f $sink.Seconds, $capture.Seconds, (Ratio $capture.Seconds $sink.Seconds)))
$lines.Add('')
$lines.Add(('Peak RSS of the process with one 50 MB message: {0:F0} MB sending to smtp-sink, {1:F0} MB sending to the capture server in the same process, which holds the message: {2:F0} MB more.' -f $sink.RssMb, $capture.RssMb, ($capture.RssMb - $sink.RssMb)))
$lines.Add('')
(Get-ColdStartSection $coldStart) | ForEach-Object { $lines.Add($_) }
$lines | Set-Content -LiteralPath $ResultsPath
Write-Host "Wrote $ResultsPath"
# W7 (composing with a large attachment) appends its own section.
& (Join-Path $PSScriptRoot 'compose.ps1') -ModulePath $ModulePath -ResultsPath $ResultsPath -Sizes $(if ($Quick) { @(64MB, 256MB) } else { @(256MB, 1GB) })
