BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:manifestPath = $env:SMTPPS_MODULE
}

Describe 'The SmtpPs module as built' {
    It 'passes Test-ModuleManifest' {
        { Test-ModuleManifest -Path $manifestPath -ErrorAction Stop } | Should -Not -Throw
    }

    It 'has the loader as nested module and the script that imports the cmdlets as RootModule; both editions and PowerShell 5.1' {
        $data = Import-PowerShellDataFile -Path $manifestPath
        $data.RootModule | Should -Be 'SmtpPs.psm1'
        $data.NestedModules | Should -Be @('SmtpPs.Loader.dll')
        # SmtpPs.dll is only in the edition folders, which the loader chooses between.
        Join-Path (Split-Path $manifestPath) 'SmtpPs.dll' | Should -Not -Exist
        $data.CompatiblePSEditions | Should -Be @('Desktop', 'Core')
        $data.PowerShellVersion | Should -Be '5.1'
    }

    It 'lists its cmdlets explicitly, without wildcards' {
        $data = Import-PowerShellDataFile -Path $manifestPath
        $cmdlets = @('Send-RawSmtpMail', 'Test-SmtpServer',
            'New-MimeMessage', 'Test-MimeMessage', 'Save-MimeMessage',
            'Start-SmtpTestServer', 'Stop-SmtpTestServer', 'Get-SmtpTestServer', 'Get-SmtpTestMessage', 'Clear-SmtpTestMessage',
            'Get-SmtpTestTransaction', 'Add-SmtpTestFault', 'Get-SmtpTestFault', 'Clear-SmtpTestFault')
        $data.CmdletsToExport | Should -Be $cmdlets
        $data.CmdletsToExport | Where-Object { $_ -match '\*' } | Should -BeNullOrEmpty
        (Get-Command -Module SmtpPs).Name | Sort-Object | Should -Be ($cmdlets | Sort-Object)
    }

    It 'carries the version of Directory.Build.props' {
        $props = [xml](Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw)
        $version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
        (Get-Module SmtpPs).Version.ToString(3) | Should -Be $version
    }

    It 'targets netstandard2.0 so that Windows PowerShell 5.1 can load it' {
        $dll = Join-Path (Split-Path $manifestPath) 'Desktop/SmtpPs.dll'
        $assembly = [System.Reflection.Assembly]::LoadFile($dll)
        $framework = $assembly.GetCustomAttributes([System.Runtime.Versioning.TargetFrameworkAttribute], $false)[0]
        $framework.FrameworkName | Should -Be '.NETStandard,Version=v2.0'
    }

    It 'declares its output types' {
        (Get-Command Send-RawSmtpMail).OutputType.Name | Should -Be @('SmtpPs.SmtpReply', 'SmtpPs.SmtpMessageResult')
        (Get-Command Test-SmtpServer).OutputType.Name | Should -Be @('SmtpPs.SmtpServerProbe')
    }

    It 'is ready for the Gallery: tags and release notes, and no address that points nowhere' {
        $data = Import-PowerShellDataFile -Path $manifestPath
        $data.PrivateData.PSData.Tags | Should -Contain 'SMTP'
        $data.PrivateData.PSData.Keys | Should -Not -Contain 'ProjectUri'
        $data.PrivateData.PSData.Keys | Should -Not -Contain 'LicenseUri'
        $data.PrivateData.PSData.ReleaseNotes | Should -Match (Get-Module SmtpPs).Version.ToString(3)
        (Get-Content (Join-Path $PSScriptRoot '../../CHANGELOG.md') -Raw) | Should -Match ('## ' + [regex]::Escape((Get-Module SmtpPs).Version.ToString(3)))
    }

    It 'names in the README only parameters that its cmdlets have' {
        # The README no longer copies the syntax (Get-Help has it); what it does name must exist.
        $readme = Get-Content (Join-Path $PSScriptRoot '../../README.md') -Raw
        $parameters = (Get-Command -Module SmtpPs).Parameters.Values + (Get-Command (Join-Path $PSScriptRoot '../../build.ps1')).Parameters.Values
        $known = @($parameters.Name) + @($parameters.Aliases) + [System.Management.Automation.PSCmdlet]::CommonParameters + [System.Management.Automation.PSCmdlet]::OptionalCommonParameters
        $named = [regex]::Matches($readme, '`-([A-Za-z]+)') | ForEach-Object { $_.Groups[1].Value } | Sort-Object -Unique
        $named.Count | Should -BeGreaterThan 10
        $named | Where-Object { $_ -notin $known } | Should -BeNullOrEmpty
    }

    It 'uses only approved verbs' {
        $approved = (Get-Verb).Verb
        (Get-Command -Module SmtpPs).Verb | ForEach-Object { $_ | Should -BeIn $approved }
    }
}

Describe 'Get-Help <command>' -ForEach @(
    @{ command = 'Send-RawSmtpMail'; examples = 6 }
    @{ command = 'Test-SmtpServer'; examples = 3 }
) {
    BeforeAll {
        $script:help = Get-Help $command -Full
    }

    It 'has a synopsis and a description' {
        $help.Synopsis | Should -Not -BeNullOrEmpty
        $help.Synopsis | Should -Not -Match '^\s*Send-RawSmtpMail|^\s*Test-SmtpServer'   # not the generated syntax stub
        ($help.Description.Text -join "`n").Length | Should -BeGreaterThan 200
    }

    It 'has at least <examples> examples with code and remarks' {
        @($help.Examples.Example).Count | Should -BeGreaterOrEqual $examples
        foreach ($example in $help.Examples.Example) {
            $example.Code | Should -Match $command
            ($example.Remarks.Text -join '') | Should -Not -BeNullOrEmpty
        }
    }

    It 'describes every parameter, with its type, default and pipeline input' {
        $common = [System.Management.Automation.PSCmdlet]::CommonParameters
        $actual = (Get-Command $command).Parameters.Keys | Where-Object { $_ -notin $common }
        $actual.Count | Should -BeGreaterThan 10
        foreach ($name in $actual) {
            $parameter = $help.Parameters.Parameter | Where-Object Name -EQ $name
            $parameter | Should -Not -BeNullOrEmpty -Because "-$name needs help"
            ($parameter.Description.Text -join '') | Should -Not -BeNullOrEmpty -Because "-$name needs a description"
            $parameter.Type.Name | Should -Not -BeNullOrEmpty
            $parameter.PipelineInput | Should -Not -BeNullOrEmpty
            $parameter.DefaultValue | Should -Not -BeNullOrEmpty
        }
    }

    It 'names its outputs' {
        $help.ReturnValues.ReturnValue.Type.Name | Should -Not -BeNullOrEmpty
    }
}

Describe 'Get-Help details' {
    It 'gives -Port its default of 25 and -InputObject the pipeline input' {
        $help = Get-Help Send-RawSmtpMail -Parameter Port
        $help.DefaultValue | Should -Be '25'
        (Get-Help Send-RawSmtpMail -Parameter InputObject).PipelineInput | Should -Be 'True (ByValue)'
        (Get-Help Send-RawSmtpMail -Parameter Path).Globbing | Should -Be 'true'
    }

    It 'shows the examples with -Examples' {
        (Get-Help Send-RawSmtpMail -Examples | Out-String) | Should -Match 'Port 587'
    }

    It 'ships about_SmtpPs' {
        $about = Get-Help about_SmtpPs | Out-String
        $about | Should -Match 'SmtpRecipientRejected'
        $about | Should -Match 'STARTTLS'
    }
}

Describe 'Format views' {
    BeforeAll {
        $script:server = Start-RecordingServer
        $script:file = New-MessageFile -Text "Subject: f`r`n`r`nformat`r`n"
        $script:output = Send-RawSmtpMail -Path $file -From a-very-long-sender-address@example.org -To b@example.org -Server 127.0.0.1 -Port $server.Port -PassThru
    }
    AfterAll { $server.Dispose() }

    It 'shows replies as a table of elapsed, command, code, enhanced code and text that fits 80 columns' {
        $table = $output | Where-Object { $_ -is [SmtpPs.SmtpReply] } | Format-Table | Out-String -Width 80
        $header = ($table -split "`n" | Where-Object { $_ -match '\S' })[0]
        $header -split '\s+' | Where-Object { $_ } | Should -Be @('Elapsed', 'Command', 'Code', 'Enh.', 'Text')
        $table -split "`n" | ForEach-Object { $_.TrimEnd().Length | Should -BeLessOrEqual 80 }
        $table | Should -Match 'MAIL FROM:<a-very-long'
    }

    It 'shows everything about a reply in the list view' {
        $list = $output | Where-Object { $_ -is [SmtpPs.SmtpReply] } | Select-Object -First 1 | Format-List | Out-String
        foreach ($label in 'Server', 'Stage', 'Command', 'Code', 'Text', 'Elapsed', 'Tls') { $list | Should -Match "(?m)^$label\s+:" }
    }

    It 'shows message results as a table' {
        $table = $output | Where-Object { $_ -is [SmtpPs.SmtpMessageResult] } | Format-Table | Out-String
        $table | Should -Match 'Status\s+QueueId\s+Accepted\s+Rejected\s+Path'
        $table | Should -Match 'Delivered'
    }
}
