# The module's root: imports the cmdlets, SmtpPs.dll, as this PowerShell edition loads them. The manifest's
# nested module SmtpPs.Loader.dll (one DLL for both editions) does the work in C#, since assembly resolution
# runs on any thread, where no script can:
#   Core (PowerShell 7.4 and later): SmtpPs and the libraries it uses load from Core/ into an
#     AssemblyLoadContext of their own, so that another module's version of MimeKit or DnsClient does not
#     clash with SmtpPs's.
#   Desktop (Windows PowerShell 5.1): one context for everything; an AssemblyResolve handler serves the
#     module's own copies of the libraries it ships, from Desktop/.
# Every import pays for each line here, so it holds one command and no .NET method call (each costs
# PowerShell's binder its first-use compilation).

Import-Module -Assembly (Get-SmtpPsCmdletAssembly)
