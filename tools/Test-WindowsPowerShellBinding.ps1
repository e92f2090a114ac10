<#
.SYNOPSIS
    Checks that Windows PowerShell 5.1 can bind every assembly of a built SmtpPs module.
.DESCRIPTION
    What breaks a binary module in Windows PowerShell 5.1 is rarely a missing API (netstandard2.0 rules that
    out) but binding: a DLL that references an assembly, or a version of one, that .NET Framework 4.7.2
    does not have and the module does not ship, with no binding redirects in 5.1 to save it.

    The module's folders (see src/SmtpPs.Loader/SmtpPs.Loader.csproj and src/SmtpPs.LoadContext/SmtpPs.LoadContext.csproj):
    - SmtpPs.Loader.dll, at the root, is loaded by both editions; Windows PowerShell 5.1 binds it like a
      DLL of Desktop/.
    - Desktop/ is what Windows PowerShell 5.1 loads. Every AssemblyRef of every DLL there must be in the
      .NET Framework 4.7.2 reference assemblies (with their Facades), in Windows PowerShell 5.1 itself
      (System.Management.Automation 3.0.0.0, as PowerShellStandard.Library describes it) or shipped in
      Desktop/, at the referenced version or higher.
    - Core/ is what PowerShell 7 loads. A DLL there that Desktop/ lacks is PowerShell 7 only (the loader's
      AssemblyLoadContext, the capture server's engine, SmtpServer and what it uses): 5.1 never loads it,
      so it is listed, not checked against 4.7.2. Our own assemblies (SmtpPs*) in Desktop/ must be in
      Core/ too; Core/<platform>/ may hold only ReadyToRun images of assemblies Core/ has as IL, and
      Core/runtimes/<os>/lib/<framework>/ only the builds for one operating system of libraries Core/ has.
    - Any other DLL belongs to neither edition, and fails.
    The metadata is read with System.Reflection.Metadata: nothing is loaded or run.

    Writes one line per problem and per PowerShell-7-only assembly, and returns the problems as objects
    (Dll, Reference, Problem). build.ps1 -Task Package fails when there is any.
.EXAMPLE
    $nuget = '~/.nuget/packages'
    ./tools/Test-WindowsPowerShellBinding.ps1 -ModulePath output/SmtpPs/0.1.0 `
        -ReferenceAssembliesPath $nuget/microsoft.netframework.referenceassemblies.net472/1.0.3/build/.NETFramework/v4.7.2 `
        -PowerShellReferencePath $nuget/powershellstandard.library/5.1.1/lib/net452
#>
[CmdletBinding()]
param(
    # The module's version folder (the one holding SmtpPs.psd1).
    [Parameter(Mandatory)] [string] $ModulePath,
    # The .NET Framework 4.7.2 reference assemblies (the folder holding mscorlib.dll and Facades/).
    [Parameter(Mandatory)] [string] $ReferenceAssembliesPath,
    # The assemblies Windows PowerShell 5.1 provides (PowerShellStandard.Library's lib/net452 folder).
    [Parameter(Mandatory)] [string] $PowerShellReferencePath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest

function Read-AssemblyMetadata([string] $Path) {
    <# The assembly's own name and version, and its references, from its metadata alone. #>
    $stream = [System.IO.File]::OpenRead($Path)
    try {
        $pe = [System.Reflection.PortableExecutable.PEReader]::new($stream)
        try {
            if (-not $pe.HasMetadata) { return $null }
            $reader = [System.Reflection.Metadata.PEReaderExtensions]::GetMetadataReader($pe)
            if (-not $reader.IsAssembly) { return $null }
            $definition = $reader.GetAssemblyDefinition()
            $references = foreach ($handle in $reader.AssemblyReferences) {
                $reference = $reader.GetAssemblyReference($handle)
                [pscustomobject]@{ Name = $reader.GetString($reference.Name); Version = $reference.Version }
            }
            [pscustomobject]@{
                Name       = $reader.GetString($definition.Name)
                Version    = $definition.Version
                References = @($references)
            }
        }
        finally { $pe.Dispose() }
    }
    finally { $stream.Dispose() }
}

function Get-AssemblySet([string[]] $Folders) {
    <# Name -> version of every assembly in the folders (not recursive). #>
    $set = @{}
    foreach ($folder in $Folders) {
        if (-not (Test-Path -LiteralPath $folder)) { continue }
        foreach ($file in Get-ChildItem -LiteralPath $folder -Filter '*.dll' -File) {
            $metadata = Read-AssemblyMetadata $file.FullName
            if ($metadata) { $set[$metadata.Name] = $metadata.Version }
        }
    }
    return $set
}

function New-Problem([string] $Dll, [string] $Reference, [string] $Problem) {
    [pscustomobject]@{ Dll = $Dll; Reference = $Reference; Problem = $Problem }
}

$module = (Resolve-Path -LiteralPath $ModulePath).Path
if (-not (Test-Path -LiteralPath (Join-Path $ReferenceAssembliesPath 'mscorlib.dll'))) {
    throw "No .NET Framework reference assemblies in '$ReferenceAssembliesPath' (mscorlib.dll is missing)."
}
$framework = Get-AssemblySet @($ReferenceAssembliesPath, (Join-Path $ReferenceAssembliesPath 'Facades'), $PowerShellReferencePath)
$desktopFolder = Join-Path $module 'Desktop'
$coreFolder = Join-Path $module 'Core'
$desktop = Get-AssemblySet @($desktopFolder)
$core = Get-AssemblySet @($coreFolder)
$problems = [System.Collections.Generic.List[object]]::new()

foreach ($file in Get-ChildItem -LiteralPath $module -Filter '*.dll' -File -Recurse) {
    $relative = [System.IO.Path]::GetRelativePath($module, $file.FullName) -replace '\\', '/'
    $folder = [System.IO.Path]::GetRelativePath($module, $file.DirectoryName) -replace '\\', '/'
    $metadata = Read-AssemblyMetadata $file.FullName
    if (-not $metadata) {
        $problems.Add((New-Problem $relative '' 'is not a .NET assembly; a module ships only assemblies in Desktop/ and Core/.'))
        continue
    }

    if ($folder -eq '.' -and $file.Name -ne 'SmtpPs.Loader.dll') {
        $problems.Add((New-Problem $relative '' 'is neither in Desktop/ (Windows PowerShell 5.1) nor in Core/ (PowerShell 7): neither edition loads it.'))
    }
    elseif ($folder -in 'Desktop', '.') {
        foreach ($reference in $metadata.References) {
            $display = "$($reference.Name), Version=$($reference.Version)"
            $candidates = @(@($desktop[$reference.Name], $framework[$reference.Name]) | Where-Object { $_ })
            if (-not $candidates) {
                $problems.Add((New-Problem $relative $display "neither .NET Framework 4.7.2 nor Windows PowerShell 5.1 has $($reference.Name), and Desktop/ does not ship it: Windows PowerShell 5.1 cannot bind it."))
            }
            elseif (-not ($candidates | Where-Object { $_ -ge $reference.Version })) {
                $problems.Add((New-Problem $relative $display "needs version $($reference.Version) of $($reference.Name), but only $(($candidates | Sort-Object -Unique) -join ' and ') is there (.NET Framework 4.7.2, Windows PowerShell 5.1 or Desktop/), and Windows PowerShell 5.1 has no binding redirects."))
            }
        }
        if ($folder -eq 'Desktop' -and $metadata.Name -like 'SmtpPs*' -and -not $core.ContainsKey($metadata.Name)) {
            $problems.Add((New-Problem $relative '' "is in Desktop/ but not in Core/: PowerShell 7 would lack it."))
        }
    }
    elseif ($folder -eq 'Core') {
        if (-not $desktop.ContainsKey($metadata.Name)) {
            Write-Host "PowerShell 7 only (not in Desktop/, never loaded by Windows PowerShell 5.1): $relative"
        }
    }
    elseif ($folder -like 'Core/*' -and $folder -notlike 'Core/*/*') {
        if (-not $core.ContainsKey($metadata.Name)) {
            $problems.Add((New-Problem $relative '' "is a ReadyToRun copy of an assembly that Core/ lacks: other platforms would not find it."))
        }
    }
    elseif ($folder -match '^Core/runtimes/[^/]+/lib/[^/]+$') {
        if (-not $core.ContainsKey($metadata.Name)) {
            $problems.Add((New-Problem $relative '' "is a build for one operating system of an assembly that Core/ lacks: the others would not find it."))
        }
    }
    else {
        $problems.Add((New-Problem $relative '' 'is neither in Desktop/ (Windows PowerShell 5.1) nor in Core/ (PowerShell 7): neither edition loads it.'))
    }
}

foreach ($problem in $problems) {
    $line = if ($problem.Reference) { "$($problem.Dll) references $($problem.Reference): $($problem.Problem)" } else { "$($problem.Dll) $($problem.Problem)" }
    Write-Host "Windows PowerShell 5.1 check: $line"
}
$problems
