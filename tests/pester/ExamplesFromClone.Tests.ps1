# The examples run from a clone of the repository without SmtpPs installed: they load it through
# examples/Import-SmtpPsModule.ps1, which takes the installed module, else the one ./build.ps1 built
# in the clone's output/ folder, else says how to get one.
BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    Import-Module (Join-Path $PSScriptRoot '../../tools/Pwsh.psm1') -Force
    $script:clone = (Resolve-Path (Join-Path $PSScriptRoot '../..')).Path
    $script:examples = Join-Path $clone 'examples'

    function Invoke-PwshWithModulePath {
        <#
        Runs a script file in a new pwsh -NoProfile whose PSModulePath is exactly -ModulePath (pwsh adds
        its own Modules folder and the user's and the machine's), as a user's shell is. Returns the output
        lines; $LASTEXITCODE holds the exit code.
        #>
        param([string] $ModulePath, [string] $File, [string[]] $Arguments = @())
        $pwsh = @(Get-PwshCommand)
        $saved = $env:PSModulePath
        try {
            $env:PSModulePath = $ModulePath
            $rest = @($pwsh | Select-Object -Skip 1)
            & $pwsh[0] @rest -NoProfile -NonInteractive -File $File @Arguments 2>&1 | ForEach-Object { "$_" }
        }
        finally { $env:PSModulePath = $saved }
    }

    # Where pwsh itself keeps modules: a PSModulePath without the built module.
    $script:bareModulePath = Join-Path $PSHOME 'Modules'
    $script:probe = Join-Path $TestDrive 'Show-SmtpPsModule.ps1'
    $script:builtModules = Split-Path (Split-Path (Split-Path $env:SMTPPS_MODULE))
}

Describe 'An example run from a clone where SmtpPs is not installed' {
    It 'finds no SmtpPs on that PSModulePath, so that what follows proves the fallback' {
        Set-Content -LiteralPath $probe -Value '@(Get-Module -ListAvailable -Name SmtpPs).Count'
        Invoke-PwshWithModulePath $bareModulePath $probe | Should -Be '0'
    }

    It 'loads the module that ./build.ps1 built in the clone''s output folder' {
        Set-Content -LiteralPath $probe -Value ". '$(Join-Path $examples 'Import-SmtpPsModule.ps1')'`n(Get-Module SmtpPs).Path"
        $output = Invoke-PwshWithModulePath $bareModulePath $probe
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be (Join-Path (Split-Path $env:SMTPPS_MODULE) 'SmtpPs.psm1')
        $output | Should -BeLike (Join-Path $clone 'output/SmtpPs/*')
    }

    It 'runs examples/Send-Outbox.ps1 to the end' {
        $server = Start-RecordingServer
        $outbox = Join-Path $TestDrive 'outbox'
        $null = New-Item -ItemType Directory -Path $outbox
        "From: a@example.org`r`nTo: one@example.org`r`nSubject: 1`r`n`r`n1`r`n" | Set-Content (Join-Path $outbox '1.eml') -NoNewline
        try {
            $output = Invoke-PwshWithModulePath $bareModulePath (Join-Path $examples 'Send-Outbox.ps1') @('-Folder', $outbox, '-Server', '127.0.0.1', '-Port', $server.Port)
            $LASTEXITCODE | Should -Be 0
            $output | Should -Contain 'Delivered    1'
            $server.WaitForMessages(1) | Should -BeTrue
        }
        finally { $server.Dispose() }
    }
}

Describe 'An example copied out of the clone' {
    BeforeAll {
        # A folder with the examples and nothing built next to them, like a clone before ./build.ps1.
        $script:bare = Join-Path $TestDrive 'unbuilt-clone'
        $null = New-Item -ItemType Directory -Path $bare
        Copy-Item -LiteralPath $examples -Destination $bare -Recurse
        $script:bareExamples = Join-Path $bare 'examples'
    }

    It 'says to build the clone or install SmtpPs when neither is there, and exits non-zero' {
        $output = Invoke-PwshWithModulePath $bareModulePath (Join-Path $bareExamples 'Send-Outbox.ps1') @('-Folder', $TestDrive, '-Server', '127.0.0.1')
        $LASTEXITCODE | Should -Not -Be 0
        # The error view colours the message and wraps it at the console's width behind '|' margins.
        $text = "$output" -replace '\x1b\[[0-9;]*m' -replace '\s*\|\s+', ' ' -replace '\s+', ' '
        $text | Should -Match 'SmtpPs is not installed'
        $text | Should -Match ([regex]::Escape("'dotnet pwsh ./build.ps1' in $bare"))
        $text | Should -Match ([regex]::Escape("'Install-Module SmtpPs'"))
        $text | Should -Not -Match 'is not recognized'
    }

    It 'takes the installed module when PSModulePath has it' {
        Set-Content -LiteralPath $probe -Value ". '$(Join-Path $bareExamples 'Import-SmtpPsModule.ps1')'`n(Get-Module SmtpPs).Path"
        $output = Invoke-PwshWithModulePath ($builtModules + [System.IO.Path]::PathSeparator + $bareModulePath) $probe
        $LASTEXITCODE | Should -Be 0
        $output | Should -Be (Join-Path (Split-Path $env:SMTPPS_MODULE) 'SmtpPs.psm1')
    }
}
