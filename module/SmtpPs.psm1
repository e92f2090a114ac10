# The module's root: loads the cmdlets of this PowerShell edition's folder and imports them.
#   Core (PowerShell 7.4 and later): SmtpPs and the libraries it uses load into an AssemblyLoadContext of
#     their own, so that another module's version of DnsClient or MimeKit does not clash with SmtpPs's.
#   Desktop (Windows PowerShell 5.1): one context for everything; an AssemblyResolve handler serves the
#     module's own copies of the libraries it ships.
# SmtpPs.Loader.dll does the work in C#: assembly resolution can run on any thread, where no script can.

$edition = if ($PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
if ($edition -eq 'Core' -and $PSVersionTable.PSVersion -lt [version] '7.4') {
    throw [System.PlatformNotSupportedException]::new(
        "SmtpPs needs PowerShell 7.4 or later (this is $($PSVersionTable.PSVersion)), or Windows PowerShell 5.1.")
}

# LoadFrom hands back the loaded assembly when Import-Module -Force runs this again. (Add-Type would do
# the same, at the price of loading the C# compiler's support.)
$loader = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, $edition, 'SmtpPs.Loader.dll'))
$cmdlets = Import-Module -Assembly ($loader.GetType('SmtpPs.Loader.ModuleLoader')::LoadCmdletAssembly()) -PassThru

# Import-Module -Force runs this file again, but PowerShell hands back the cached inner module without
# adding its cmdlets to this (new) module, which would then export none: add them by hand, as PSOpenAD
# does. https://github.com/PowerShell/PowerShell/issues/20710
$addExportedCmdlet = [System.Management.Automation.PSModuleInfo].GetMethod(
    'AddExportedCmdlet', [System.Reflection.BindingFlags] 'Instance, NonPublic')
foreach ($cmdlet in $cmdlets.ExportedCmdlets.Values) {
    $addExportedCmdlet.Invoke($ExecutionContext.SessionState.Module, @(, $cmdlet))
}
