# The module's root: loads the cmdlets of this PowerShell edition's folder ($PSEdition names it) and
# imports them.
#   Core (PowerShell 7.4 and later): SmtpPs and the libraries it uses load into an AssemblyLoadContext of
#     their own, so that another module's version of DnsClient or MimeKit does not clash with SmtpPs's.
#   Desktop (Windows PowerShell 5.1): one context for everything; an AssemblyResolve handler serves the
#     module's own copies of the libraries it ships.
# SmtpPs.Loader.dll does the work in C#: assembly resolution runs on any thread, where no script can.
# Every import pays for each line here, so it holds commands only, no .NET method calls.

Import-Module -Name "$PSScriptRoot/$PSEdition/SmtpPs.Loader.dll"
Import-Module -Assembly (Get-SmtpPsCmdletAssembly) -PassThru | Add-SmtpPsExportedCmdlet
