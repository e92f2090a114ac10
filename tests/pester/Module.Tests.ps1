BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = $env:SMTPPS_MODULE
}

Describe 'The SmtpPs module as built' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has the DLL as RootModule, both editions and PowerShell 5.1' {
        $data = Import-PowerShellDataFile -Path $manifestPath
        $data.RootModule | Should -Be 'SmtpPs.dll'
        $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $data.PowerShellVersion | Should -Be '5.1'
    }

    It 'lists its cmdlets explicitly, without wildcards' {
        $data = Import-PowerShellDataFile -Path $manifestPath
        $data.CmdletsToExport | Should -Contain 'Send-RawSmtpMail'
        $data.CmdletsToExport | Where-Object { $_ -match '\*' } | Should -BeNullOrEmpty
        (Get-Command -Module SmtpPs).Name | Should -Be @('Send-RawSmtpMail')
    }

    It 'carries the version of Directory.Build.props' {
        $props = [xml](Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw)
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        (Get-Module SmtpPs).Version.ToString(3) | Should -Be $version
    }

    It 'targets netstandard2.0 so that Windows PowerShell 5.1 can load it' {
        $dll = Join-Path (Split-Path $manifestPath) 'SmtpPs.dll'
        $assembly = [System.Reflection.Assembly]::LoadFile($dll)
        $framework = $assembly.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], $false)[0]
        $framework.FrameworkName | Should -Be '.NETStandard,Version=v2.0'
    }

    It 'declares SmtpReply and SmtpMessageResult as its output types' {
        (Get-Command Send-RawSmtpMail).OutputType.Name | Should -Be @('SmtpPs.SmtpReply', 'SmtpPs.SmtpMessageResult')
    }
}

Describe 'Get-Help Send-RawSmtpMail' {
    BeforeAll {
        $script:help = Get-Help Send-RawSmtpMail -Full
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Match 'raw'
        ($help.Description.Text -join "`n").Length | Should -BeGreaterThan 200
    }

    It 'has at least three examples with code and remarks' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual 3
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match 'Send-RawSmtpMail'
            ($example.Remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes the parameter <_>' -TestCases @(
        'Path', 'LiteralPath', 'From', 'To', 'Server', 'Port', 'HeloName', 'TimeoutSec', 'PassThru'
    ) {
        $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $_
        $parameter | Should -Not -BeNullOrEmpty
        ($parameter.Description.Text -join '') | Should -Not -BeNullOrEmpty
    }

    It 'documents every parameter the cmdlet has' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $actual = (Get-Command Send-RawSmtpMail).Parameters.Keys | Where-Object { $_ -notin $common }
        $documented = $help.Parameters.Parameter.Name
        $actual | Where-Object { $_ -notin $documented } | Should -BeNullOrEmpty
    }

    It 'ships about_SmtpPs' {
        (Get-Help about_SmtpPs | Out-String) | Should -Match 'SmtpRecipientRejected'
    }
}
