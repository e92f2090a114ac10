<#
.SYNOPSIS
    Loads SmtpPs for the examples: the installed module, else the one ./build.ps1 built in this clone.
.DESCRIPTION
    Each example dot-sources this file instead of 'Import-Module SmtpPs', so that it runs both where
    SmtpPs is installed and straight from a clone of the repository:

        . (Join-Path $PSScriptRoot 'Import-SmtpPsModule.ps1')

    A session that already has SmtpPs loaded keeps it (a Pester test that mocks its cmdlets, a
    development build imported by hand). In your own scripts, with SmtpPs installed, write
    'Import-Module SmtpPs' instead.
#>

if (Get-Module -Name SmtpPs) { return }
if (Get-Module -ListAvailable -Name SmtpPs) {
    Import-Module SmtpPs
    return
}

# Not installed: the module that build.ps1 assembles under output/SmtpPs/<version>/ in this clone.
# Import-Module given that folder takes the highest version in it.
$smtpPsClone = Split-Path -Parent $PSScriptRoot
$smtpPsBuilt = Join-Path $smtpPsClone 'output/SmtpPs'
if (Get-ChildItem -Path (Join-Path $smtpPsBuilt '*/SmtpPs.psd1') -ErrorAction SilentlyContinue) {
    Import-Module $smtpPsBuilt
    return
}

Write-Error -Category ObjectNotFound -ErrorId SmtpPsModuleNotFound -TargetObject $smtpPsBuilt -ErrorAction Stop -Message (
    "SmtpPs is not installed, and $smtpPsClone has no build of it. Run 'dotnet tool restore' and " +
    "'dotnet pwsh ./build.ps1' in $smtpPsClone, or install SmtpPs with 'Install-Module SmtpPs'.")
