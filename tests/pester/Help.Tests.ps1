# The help ships as MAML that tools/ConvertTo-MamlHelp.ps1 makes from docs/*.md and the cmdlets
# themselves. These tests read it as a user does, through Get-Help, for every parameter of every
# cmdlet the module exports, so a cmdlet added later is covered without touching this file.
BeforeDiscovery {
    Import-Module $env:SMTPPS_MODULE -Force
    $common = [System.Management.Automation.PSCmdlet]::CommonParameters
    $script:parameters = @(foreach ($cmd in (Get-Module SmtpPs).ExportedCmdlets.Values | Sort-Object Name) {
            foreach ($name in $cmd.Parameters.Keys | Where-Object { $_ -notin $common } | Sort-Object) {
                @{ Command = $cmd.Name; Name = $name }
            }
        })
    $script:cmdlets = @((Get-Module SmtpPs).ExportedCmdlets.Keys | Sort-Object | ForEach-Object { @{ Command = $_ } })
}

BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force

    function Get-ChoiceType($parameter) {
        # The enum behind a parameter, also through Nullable and arrays; $null when it is not one.
        $type = $parameter.ParameterType
        if ($type.IsArray) { $type = $type.GetElementType() }
        $underlying = [Nullable]::GetUnderlyingType($type)
        if ($underlying) { $type = $underlying }
        if ($type.IsEnum) { return $type }
        return $null
    }

    function Get-CodeDefault([string] $command, [string] $name) {
        # What the cmdlet really starts with: PowerShell makes a new instance for each call, and a
        # parameter that is not given keeps the value the code gave it. Null, 0, '' and @() are "not
        # given"; an enum always names a mode, so its value counts even when it is the first one.
        $cmdlet = [Activator]::CreateInstance((Get-Command $command).ImplementingType)
        try {
            $property = $cmdlet.GetType().GetProperty($name)
            if (-not $property) { return $null }
            $value = $property.GetValue($cmdlet)
            if ($value -is [Enum]) { return $value.ToString() }
            if ($value -is [string] -and $value) { return $value }
            if ($value -is [ValueType] -and -not $value.Equals([Activator]::CreateInstance($value.GetType()))) {
                return [string]::Format([cultureinfo]::InvariantCulture, '{0}', $value)
            }
            return $null
        }
        finally { if ($cmdlet -is [IDisposable]) { $cmdlet.Dispose() } }
    }
}

Describe 'Get-Help <Command> -Full' -ForEach $cmdlets {
    It 'shows no CLR type names (Nullable`1, System.Nullable) and no empty default anywhere' {
        $text = Get-Help $Command -Full | Out-String -Width 10000
        $text | Should -Not -Match '`\d'
        $text | Should -Not -Match 'System\.Nullable'
        $text | Should -Not -Match '(?m)Default value[ \t]*$'
    }
}

Describe 'The help of <Command>' -ForEach $cmdlets {
    BeforeAll {
        $script:syntax = (Get-Help $Command).syntax | Out-String -Width 10000
    }

    Context '-<Name>' -ForEach @($parameters | Where-Object Command -EQ $Command) {
        BeforeAll {
            $script:parameter = (Get-Command $Command).Parameters[$Name]
            $script:help = Get-Help $Command -Parameter $Name
            $script:isSwitch = $parameter.ParameterType -eq [switch]
        }

        It 'names the type as a user writes it, a nullable or array of an enum by the enum' {
            $shown = $help.type.name
            $shown | Should -Not -BeNullOrEmpty
            $shown | Should -Not -Match '`|Nullable|^System\.'
            $type = $parameter.ParameterType
            $underlying = [Nullable]::GetUnderlyingType($type)
            if ($underlying) { $type = $underlying }
            if (-not $type.IsGenericType) { $shown | Should -BeExactly $type.Name }
            $heading = '-' + $Name + $(if ($isSwitch) { '' } else { " <$shown>" })
            (Get-Help $Command -Parameter $Name | Out-String -Width 10000) | Should -Match ('(?m)^' + [regex]::Escape($heading) + '\s*$')
        }

        It 'appears in the syntax with its choices or its type' {
            # As PowerShell's own help: an enum or a ValidateSet lists its values, anything else its type.
            $choice = Get-ChoiceType $parameter
            $set = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] }
            $values = if ($set) { @($set.ValidValues) } elseif ($choice) { [Enum]::GetNames($choice) } else { @() }
            $shape = if ($isSwitch) { $null } elseif ($values) { ' {' + ($values -join ' | ') + '}' } else { " <$($help.type.name)>" }
            # A positional parameter shows as [-Path] <String[]>; a switch as [-PassThru], or -Drop where a set requires it.
            $pattern = if ($isSwitch) { '-' + [regex]::Escape($Name) + '(\]|\s)' } else { '-' + [regex]::Escape($Name) + '\]?' + [regex]::Escape($shape) }
            $syntax | Should -Match $pattern
        }

        It 'shows the default the cmdlet really uses, or a whole sentence of the docs' {
            $shown = $help.defaultValue
            $coded = Get-CodeDefault $Command $Name
            if ($isSwitch) { $shown | Should -BeExactly 'False' }
            elseif ($coded) { $shown | Should -BeExactly $coded }
            elseif ($shown -ne 'None') {
                # A default that only exists at run time is the docs' "Default: ..." sentence, never
                # cut at a dot inside it (as "[192.0.2.1]" once was).
                $description = ($help.description.Text -join ' ') -replace '\s+', ' '
                $description | Should -Match ('Default: ' + [regex]::Escape($shown) + '\.(\s|$)')
                ($shown.Split('[').Count - $shown.Split(']').Count) | Should -Be 0
                ($shown.Split('(').Count - $shown.Split(')').Count) | Should -Be 0
            }
        }
    }
}

Describe 'The documented defaults, as Get-Help shows them' {
    It '<Command> -<Name> defaults to <Default>' -TestCases @(
        # The simple defaults the docs state, in words or with "Default:".
        @{ Command = 'Send-RawSmtpMail'; Name = 'Port'; Default = '25' }
        @{ Command = 'Send-RawSmtpMail'; Name = 'TlsMode'; Default = 'Auto' }
        @{ Command = 'Send-RawSmtpMail'; Name = 'TlsServerName'; Default = '-Server' }
        @{ Command = 'Send-RawSmtpMail'; Name = 'TimeoutSec'; Default = 'None' }
        @{ Command = 'Send-RawSmtpMail'; Name = 'SkipCertificateCheck'; Default = 'False' }
        @{ Command = 'Test-SmtpServer'; Name = 'Port'; Default = '25' }
        @{ Command = 'Test-SmtpServer'; Name = 'TlsMode'; Default = 'Auto' }
        @{ Command = 'Test-SmtpServer'; Name = 'TlsServerName'; Default = '-Server' }
    ) {
        (Get-Help $Command -Parameter $Name).defaultValue | Should -BeExactly $Default
    }

    It '<Command> -HeloName defaults to the machine''s name or an address literal, in words' -TestCases @(
        @{ Command = 'Send-RawSmtpMail' }
        @{ Command = 'Test-SmtpServer' }
    ) {
        (Get-Help $Command -Parameter HeloName).defaultValue | Should -BeLike "the machine's fully qualified domain name, or an address literal*"
    }
}

Describe 'Test-SmtpServer''s example 2, run as written against a server on loopback' {
    BeforeAll {
        $script:code = @((Get-Help Test-SmtpServer -Examples).examples.example | Where-Object title -Like '*Example 2:*')[0].code

        function Invoke-Example2([int] $port) {
            # The example as the help shows it, pointed at the test server instead of smtp.example.org:465.
            $local = $code -replace 'smtp\.example\.org', '127.0.0.1' -replace '-Port 465\b', "-Port $port"
            $local | Should -Not -Match 'example\.org|-Port 465\b'
            & ([scriptblock]::Create($local)) 3>&1 | ForEach-Object { "$_" }
        }
    }

    It 'says that a server without TLS has no certificate, instead of "expires in  days"' {
        $server = Start-RecordingServer
        try {
            $warnings = @(Invoke-Example2 $server.Port)
            $warnings | Should -HaveCount 1
            $warnings[0] | Should -BeLike '127.0.0.1: no certificate to check (no TLS).*'
            $warnings[0] | Should -Not -Match 'expires in\s+days'
        }
        finally { $server.Dispose() }
    }

    It 'warns with the days left for a certificate that expires within 14 days' {
        $ca = [SmtpPs.TestServer.TestCertificates]::CreateAuthority('SmtpPs Help Example CA')
        $server = Start-RecordingServer -Certificate ([SmtpPs.TestServer.TestCertificates]::IssueServer($ca, 'localhost', -60, 10))
        try {
            $warnings = @(Invoke-Example2 $server.Port)
            $warnings | Should -Be @('127.0.0.1: certificate CN=localhost expires in 9 days')
        }
        finally { $server.Dispose() }
    }
}
