BeforeAll {
    Import-Module (Join-Path $PSScriptRoot 'TestHelpers.psm1') -Force
    $script:moduleDir = Split-Path $env:SMTPPS_MODULE
    $props = [xml](Get-Content (Join-Path $PSScriptRoot '../../Directory.Build.props') -Raw)
    $script:version = @($props.Project.PropertyGroup | ForEach-Object { $_.Version } | Where-Object { $_ })[0]
    $script:nupkg = Join-Path $env:SMTPPS_REPOSITORY "SmtpPs.$version.nupkg"

    Add-Type -AssemblyName System.IO.Compression.FileSystem
    $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
    try {
        $script:entries = @($zip.Entries.FullName | ForEach-Object { [uri]::UnescapeDataString($_) })
        $reader = [System.IO.StreamReader]::new($zip.GetEntry('SmtpPs.nuspec').Open())
        try { $script:nuspec = [xml]$reader.ReadToEnd() } finally { $reader.Dispose() }
    }
    finally { $zip.Dispose() }
    # What NuGet adds around the module's own files.
    $script:moduleEntries = @($entries | Where-Object { $_ -notmatch '^(_rels/|package/|\[Content_Types\]\.xml$|SmtpPs\.nuspec$)' })

    $packages = ((& dotnet nuget locals global-packages --list) -replace '^global-packages:\s*', '').Trim()
    $script:checkArguments = @{
        ReferenceAssembliesPath = Join-Path $packages 'microsoft.netframework.referenceassemblies.net472/1.0.3/build/.NETFramework/v4.7.2'
        PowerShellReferencePath = Join-Path $packages 'powershellstandard.library/5.1.1/lib/net452'
    }
    $script:check = Join-Path $PSScriptRoot '../../tools/Test-WindowsPowerShellBinding.ps1'

    function Copy-BuiltModule {
        <# A copy of the built module in TestDrive, to plant DLLs in. #>
        $copy = Join-Path $TestDrive ("module-" + [guid]::NewGuid().ToString('n').Substring(0, 8))
        Copy-Item -LiteralPath $moduleDir -Destination $copy -Recurse
        return $copy
    }

    function New-AssemblyNeeding([string] $Path, [string] $Code) {
        <# A DLL built for the purpose: compiled here (on .NET 10) with C# that uses what it should reference. #>
        Add-Type -TypeDefinition "public static class Planted { public static object Use() { return $Code; } }" -OutputAssembly $Path -OutputType Library
    }
}

Describe 'The package that build.ps1 publishes to the local repository' {
    It 'is SmtpPs.<version>.nupkg with the version of Directory.Build.props' {
        $nupkg | Should -Exist
        $nuspec.package.metadata.id | Should -Be 'SmtpPs'
        $nuspec.package.metadata.version | Should -Be $version
    }

    It 'carries the release notes of the version''s section of CHANGELOG.md' {
        $changelog = Get-Content (Join-Path $PSScriptRoot '../../CHANGELOG.md') -Raw
        $changelog | Should -Match ('(?m)^## ' + [regex]::Escape($version))
        # The first entry of the section, word for word.
        $section = ($changelog -split '(?m)^## ')[1]
        $firstEntry = (($section -split '(?m)^- ')[1] -split '\r?\n')[0].Trim()
        $nuspec.package.metadata.releaseNotes | Should -Match ('^' + [regex]::Escape($version))
        $nuspec.package.metadata.releaseNotes.Contains($firstEntry) | Should -BeTrue -Because "the notes should hold '$firstEntry'"
    }

    It 'names no project or license address, since SmtpPs has none' {
        $nuspec.package.metadata.projectUrl | Should -BeNullOrEmpty
        $nuspec.package.metadata.licenseUrl | Should -BeNullOrEmpty
        $nuspec.OuterXml | Should -Not -Match 'https?://(?!schemas\.microsoft\.com)'
    }

    It 'holds <entry>' -TestCases @(
        @{ entry = 'SmtpPs.psd1' }
        @{ entry = 'SmtpPs.psm1' }
        @{ entry = 'SmtpPs.Loader.dll' }
        @{ entry = 'SmtpPs.Format.ps1xml' }
        @{ entry = 'LICENSE' }
        @{ entry = 'en-US/SmtpPs.dll-Help.xml' }
        @{ entry = 'en-US/about_SmtpPs.help.txt' }
        @{ entry = 'en-US/about_SmtpPs_Testing.help.txt' }
        @{ entry = 'Desktop/SmtpPs.dll' }
        @{ entry = 'Desktop/SmtpPs.Core.dll' }
        @{ entry = 'Desktop/SmtpPs.Mime.dll' }
        @{ entry = 'Desktop/SmtpPs.Testing.dll' }
        @{ entry = 'Desktop/MimeKit.dll' }
        @{ entry = 'Desktop/BouncyCastle.Cryptography.dll' }
        @{ entry = 'Desktop/DnsClient.dll' }
        @{ entry = 'Core/SmtpPs.LoadContext.dll' }
        @{ entry = 'Core/SmtpPs.dll' }
        @{ entry = 'Core/SmtpPs.Core.dll' }
        @{ entry = 'Core/SmtpPs.Mime.dll' }
        @{ entry = 'Core/SmtpPs.Testing.dll' }
        @{ entry = 'Core/SmtpPs.Testing.Engine.dll' }
        @{ entry = 'Core/MimeKit.dll' }
        @{ entry = 'Core/BouncyCastle.Cryptography.dll' }
        @{ entry = 'Core/DnsClient.dll' }
        @{ entry = 'Core/SmtpServer.dll' }
        @{ entry = 'Core/System.IO.Pipelines.dll' }
    ) {
        param($entry)
        $entries | Should -Contain $entry
    }

    It 'keeps the capture server''s engine and SmtpServer (netstandard2.1) out of Desktop/: Windows PowerShell 5.1 cannot load them' {
        $moduleEntries | Should -Not -Contain 'Desktop/SmtpPs.Testing.Engine.dll'
        $moduleEntries | Should -Not -Contain 'Desktop/SmtpServer.dll'
    }

    It 'holds the help of every cmdlet it exports, and the format views of module/' {
        $zip = [System.IO.Compression.ZipFile]::OpenRead($nupkg)
        try {
            $read = { param($name) $r = [System.IO.StreamReader]::new($zip.GetEntry($name).Open()); try { $r.ReadToEnd() } finally { $r.Dispose() } }
            $maml = [xml](& $read 'en-US/SmtpPs.dll-Help.xml')
            $formats = & $read 'SmtpPs.Format.ps1xml'
        }
        finally { $zip.Dispose() }
        $documented = @($maml.helpItems.command.details.name | ForEach-Object { "$_".Trim() })
        $exported = (Import-PowerShellDataFile -Path $env:SMTPPS_MODULE).CmdletsToExport
        $exported.Count | Should -BeGreaterThan 10
        $exported | Where-Object { $_ -notin $documented } | Should -BeNullOrEmpty
        $formats | Should -Be (Get-Content -LiteralPath (Join-Path $PSScriptRoot '../../module/SmtpPs.Format.ps1xml') -Raw)
    }

    It 'holds exactly the built module: every file of it and nothing else' {
        $built = @(Get-ChildItem -LiteralPath $moduleDir -Recurse -File |
                ForEach-Object { [System.IO.Path]::GetRelativePath($moduleDir, $_.FullName) -replace '\\', '/' })
        ($moduleEntries | Sort-Object) | Should -Be ($built | Sort-Object)
    }

    It 'holds no tests, benchmarks, tools or test servers' {
        $moduleEntries | Where-Object { $_ -match '(^|/)(tests|bench|tools|examples)/|\.Tests\.ps1$|TestServer|SmtpPs\.Bench|Pester|MailKit' } |
            Should -BeNullOrEmpty
    }

    It 'ships in Core/ no framework assembly newer than PowerShell 7.6''s own, whose copy the loader takes instead' {
        # Core/ serves .NET 8 too, which lacks System.IO.Pipelines and has an older System.Security.Cryptography.Pkcs
        # than MimeKit asks for; where this runtime has an assembly at that version or newer, the loader takes the
        # runtime's (tests/pester/Loading.Tests.ps1).
        $runtime = @{}
        foreach ($path in ([string][System.AppContext]::GetData('TRUSTED_PLATFORM_ASSEMBLIES')) -split [System.IO.Path]::PathSeparator) {
            $runtime[[System.IO.Path]::GetFileNameWithoutExtension($path)] = $path
        }
        $runtime.Keys | Should -Contain 'System.Memory'
        $shared = @(Get-ChildItem -LiteralPath (Join-Path $moduleDir 'Core') -Filter '*.dll' -File | Where-Object { $runtime.ContainsKey($_.BaseName) })
        $shared.BaseName | Should -Contain 'System.IO.Pipelines'
        foreach ($file in $shared) {
            [System.Reflection.AssemblyName]::GetAssemblyName($file.FullName).Version |
                Should -BeLessOrEqual ([System.Reflection.AssemblyName]::GetAssemblyName($runtime[$file.BaseName]).Version) -Because $file.Name
        }
        # Never one that every .NET has: System.Memory is in the runtime since .NET Core 2.1.
        $moduleEntries | Should -Not -Contain 'Core/System.Memory.dll'
        # Windows PowerShell 5.1 needs the out-of-band System.Memory, and gets it in Desktop/.
        $moduleEntries | Should -Contain 'Desktop/System.Memory.dll'
    }

    It 'passes Test-ModuleManifest once extracted, as Install-PSResource would lay it out' {
        $extracted = Join-Path $TestDrive 'extracted/SmtpPs'
        Expand-Archive -LiteralPath $nupkg -DestinationPath $extracted
        { Test-ModuleManifest -Path (Join-Path $extracted 'SmtpPs.psd1') -ErrorAction Stop } | Should -Not -Throw
    }
}

Describe 'The Windows PowerShell 5.1 binding check (tools/Test-WindowsPowerShellBinding.ps1)' {
    It 'passes the module as built' {
        $problems = @(& $check -ModulePath $moduleDir @checkArguments 6>$null)
        $problems | Should -BeNullOrEmpty
    }

    It 'fails a DLL in Desktop/ that references <what>, naming the DLL and the reference' -TestCases @(
        @{ what = 'an assembly .NET Framework 4.7.2 lacks'; code = 'System.Text.Json.JsonSerializer.Serialize(1)'; reference = 'System.Text.Json, Version=10.0.0.0'; problem = '*neither .NET Framework 4.7.2 nor Windows PowerShell 5.1 has System.Text.Json*' }
        @{ what = 'a newer version than .NET Framework 4.7.2 has'; code = 'new object()'; reference = 'System.Runtime, Version=10.0.0.0'; problem = '*needs version 10.0.0.0 of System.Runtime*no binding redirects*' }
    ) {
        param($code, $reference, $problem)
        $module = Copy-BuiltModule
        New-AssemblyNeeding (Join-Path $module 'Desktop/Planted.dll') $code
        $problems = @(& $check -ModulePath $module @checkArguments 6>$null)
        $found = @($problems | Where-Object { $_.Dll -eq 'Desktop/Planted.dll' -and $_.Reference -eq $reference })
        $found.Count | Should -Be 1
        $found[0].Problem | Should -BeLike $problem
    }

    It 'fails a PowerShell-7-only assembly put in Desktop/ (SmtpServer, for netstandard 2.1)' {
        $module = Copy-BuiltModule
        Copy-Item -LiteralPath (Join-Path $module 'Core/SmtpServer.dll') -Destination (Join-Path $module 'Desktop')
        $problems = @(& $check -ModulePath $module @checkArguments 6>$null)
        $problems | Where-Object { $_.Dll -eq 'Desktop/SmtpServer.dll' -and $_.Reference -like 'netstandard, Version=2.1.*' } | Should -Not -BeNullOrEmpty
    }

    It 'lists the capture server''s engine and SmtpServer as PowerShell 7 only, and does not hold them to .NET Framework 4.7.2' {
        $output = @(& $check -ModulePath $moduleDir @checkArguments 6>&1)
        $output | Where-Object { $_ -isnot [System.Management.Automation.InformationRecord] } | Should -BeNullOrEmpty
        $listed = ($output | Where-Object { $_ -is [System.Management.Automation.InformationRecord] }) -join "`n"
        $listed | Should -BeLike '*PowerShell 7 only*Core/SmtpPs.Testing.Engine.dll*'
        $listed | Should -BeLike '*PowerShell 7 only*Core/SmtpServer.dll*'
    }

    It 'fails <case>' -TestCases @(
        @{ case = 'a DLL in neither edition''s folder'; problem = '*neither in Desktop/*nor in Core/*'
            plant = { param($m) Copy-Item -LiteralPath (Join-Path $m 'Desktop/DnsClient.dll') -Destination $m } }
        @{ case = 'one of our assemblies that Desktop/ has and Core/ lacks'; problem = '*in Desktop/ but not in Core/*'
            plant = { param($m) Remove-Item -LiteralPath (Join-Path $m 'Core/SmtpPs.Core.dll') } }
        @{ case = 'a ReadyToRun copy of an assembly Core/ lacks'; problem = '*ReadyToRun copy of an assembly that Core/ lacks*'
            plant = { param($m) $null = New-Item -ItemType Directory (Join-Path $m 'Core/win-x64') -Force; New-AssemblyNeeding (Join-Path $m 'Core/win-x64/Stray.dll') 'new object()' } }
        @{ case = 'an operating system''s build of a library Core/ lacks'; problem = '*build for one operating system of an assembly that Core/ lacks*'
            plant = { param($m) $null = New-Item -ItemType Directory (Join-Path $m 'Core/runtimes/win/lib/net8.0') -Force; New-AssemblyNeeding (Join-Path $m 'Core/runtimes/win/lib/net8.0/Stray.dll') 'new object()' } }
        @{ case = 'a loader at the module''s root that references what .NET Framework 4.7.2 lacks'; problem = '*neither .NET Framework 4.7.2 nor Windows PowerShell 5.1 has System.Text.Json*'
            plant = { param($m) $dll = Join-Path $TestDrive "Planted-$([guid]::NewGuid().ToString('n')).dll"; New-AssemblyNeeding $dll 'System.Text.Json.JsonSerializer.Serialize(1)'; Copy-Item -LiteralPath $dll -Destination (Join-Path $m 'SmtpPs.Loader.dll') -Force } }
    ) {
        param($plant, $problem)
        $module = Copy-BuiltModule
        & $plant $module
        $problems = @(& $check -ModulePath $module @checkArguments 6>$null)
        $problems.Problem | Where-Object { $_ -like $problem } | Should -Not -BeNullOrEmpty
    }
}
