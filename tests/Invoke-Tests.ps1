<#
.SYNOPSIS
    Runs the Pester suite against a built module; build.ps1 -Task Test calls it in a fresh pwsh.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $PesterPath,
    [Parameter(Mandatory)] [string] $TestServerPath,
    # The local repository holding the package build.ps1 made (SmtpPs.<version>.nupkg).
    [Parameter(Mandatory)] [string] $RepositoryPath,
    [Parameter(Mandatory)] [string] $SummaryPath,
    [string] $Tag,
    [string] $TestPath,
    [string[]] $ExcludeTag = @('Soak')
)

$ErrorActionPreference = 'Stop'
Import-Module $PesterPath -Force

# The test files find the module and the test server through these.
$env:SMTPPS_MODULE = $ModulePath
$env:SMTPPS_TESTSERVER = $TestServerPath
$env:SMTPPS_REPOSITORY = $RepositoryPath

$configuration = New-PesterConfiguration
$configuration.Run.Path = if ($TestPath) { $TestPath -split ',' } else { Join-Path $PSScriptRoot 'pester' }
$configuration.Run.PassThru = $true
$configuration.Output.Verbosity = 'Detailed'
if ($Tag) {
    $configuration.Filter.Tag = $Tag -split ','
}
else {
    $configuration.Filter.ExcludeTag = $ExcludeTag
}

$result = Invoke-Pester -Configuration $configuration
@{
    Passed  = $result.PassedCount
    Failed  = $result.FailedCount + $result.FailedBlocksCount + $result.FailedContainersCount
    Skipped = $result.SkippedCount
} | ConvertTo-Json | Set-Content -LiteralPath $SummaryPath
exit ([int]($result.Result -ne 'Passed'))
