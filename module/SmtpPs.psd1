@{
    # The build writes ModuleVersion from Directory.Build.props, the one place for the version, and
    # ReleaseNotes from that version's section of CHANGELOG.md.
    # SmtpPs.psm1 imports the cmdlets of the edition's folder, Core (PowerShell 7) or Desktop (5.1), as the
    # loader (SmtpPs.Loader.dll, one DLL for both editions, imported first) hands them over.
    RootModule             = 'SmtpPs.psm1'
    NestedModules          = @('SmtpPs.Loader.dll')
    ModuleVersion          = '0.1.0'
    CompatiblePSEditions   = @('Desktop', 'Core')
    GUID                   = '5a3f0f5e-2c51-4d0e-9a0b-6f6d8e1c2b47'
    Author                 = 'SmtpPs contributors'
    CompanyName            = 'SmtpPs'
    Copyright              = '(c) SmtpPs contributors. MIT License.'
    Description            = 'Sends raw RFC 5322 message files over SMTP and shows every reply the server gave, as objects.'
    PowerShellVersion      = '5.1'
    DotNetFrameworkVersion = '4.7.2'
    FormatsToProcess       = @('SmtpPs.Format.ps1xml')
    CmdletsToExport        = @('Send-RawSmtpMail', 'Test-SmtpServer',
        'New-MimeMessage', 'Test-MimeMessage', 'Save-MimeMessage',
        'Start-SmtpTestServer', 'Stop-SmtpTestServer', 'Get-SmtpTestServer', 'Get-SmtpTestMessage', 'Clear-SmtpTestMessage',
        'Get-SmtpTestTransaction', 'Add-SmtpTestFault', 'Get-SmtpTestFault', 'Clear-SmtpTestFault')
    FunctionsToExport      = @()
    VariablesToExport      = @()
    AliasesToExport        = @()
    PrivateData            = @{
        PSData = @{
            Tags         = @('SMTP', 'Mail', 'Email', 'RFC5321', 'STARTTLS', 'TLS', 'OAuth2', 'PSEdition_Core', 'PSEdition_Desktop', 'Windows', 'Linux', 'MacOS')
            # No ProjectUri or LicenseUri: SmtpPs has no public address yet; the license ships as LICENSE.
            ReleaseNotes = ''
        }
    }
}
