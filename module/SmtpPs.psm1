# The module's root: loads the cmdlets of this PowerShell edition's folder and imports them.
#   Core (PowerShell 7.4 and later): SmtpPs and the libraries it uses load into an AssemblyLoadContext of
#     their own, so that another module's version of DnsClient or MimeKit does not clash with SmtpPs's.
#   Desktop (Windows PowerShell 5.1): one context for everything; an AssemblyResolve handler serves the
#     module's own copies of the libraries it ships.
# SmtpPs.Loader.dll does the work in C#: assembly resolution runs on any thread, where no script can, and
# every line of script here is paid for by every import (this file is kept to three calls).

$edition = if ($PSEdition -eq 'Core') { 'Core' } else { 'Desktop' }
# LoadFrom hands back the loaded assembly when Import-Module -Force runs this again.
$loader = [System.Reflection.Assembly]::LoadFrom([System.IO.Path]::Combine($PSScriptRoot, $edition, 'SmtpPs.Loader.dll')).GetType('SmtpPs.Loader.ModuleLoader')
try { $cmdlets = $loader::LoadCmdletAssembly() }
catch [System.IO.FileNotFoundException], [System.IO.FileLoadException] {
    # The Core loader is built for .NET 8: an older PowerShell 7 cannot run it.
    throw [System.PlatformNotSupportedException]::new("SmtpPs needs PowerShell 7.4 or later, or Windows PowerShell 5.1 (this is $($PSVersionTable.PSVersion)): $($_.Exception.Message)")
}
$loader::ExportCmdlets($ExecutionContext.SessionState.Module, (Import-Module -Assembly $cmdlets -PassThru))
