<#
.SYNOPSIS
    Turns the help markdown in docs/ into the MAML file the module ships (platyPS is not available).
.DESCRIPTION
    The prose comes from docs/<Cmdlet>.md (sections SYNOPSIS, DESCRIPTION, PARAMETERS, INPUTS, OUTPUTS,
    NOTES, EXAMPLES, RELATED LINKS); the syntax, types, positions, pipeline input and aliases come from
    the built cmdlet itself, so they cannot drift from the code. about_*.md files become about_*.help.txt.
    build.ps1 runs this in a fresh pwsh after it assembled the module.

    A parameter's default value is decided in one place, Get-ParameterDefault: the value a new instance
    of the cmdlet holds (TlsMode = Auto, Port = 25), else the docs' "Default: <text>." sentence for a
    default that only exists at run time (the machine's FQDN), else None (False for a switch). A docs
    sentence that names another default than the code fails the build.
#>
param(
    [Parameter(Mandatory)] [string] $ModulePath,
    [Parameter(Mandatory)] [string] $DocsPath,
    [Parameter(Mandatory)] [string] $OutputPath
)

$ErrorActionPreference = 'Stop'
Set-StrictMode -Version Latest
$module = Import-Module $ModulePath -PassThru
# -WhatIf and -Confirm are documented like the cmdlet's own; the rest are <CommonParameters>.
$common = [System.Management.Automation.PSCmdlet]::CommonParameters

function Read-HelpMarkdown([string] $path) {
    # Sections by '## ', subsections by '### '; fenced code kept verbatim.
    $doc = [ordered]@{}
    $section = $null; $sub = $null; $inCode = $false
    foreach ($line in Get-Content -LiteralPath $path) {
        if ($line -match '^```') { $inCode = -not $inCode; $doc[$section][$sub] += , $line; continue }
        if (-not $inCode -and $line -match '^## (.+)$') { $section = $Matches[1].Trim(); $doc[$section] = [ordered]@{ '' = @() }; $sub = ''; continue }
        if (-not $inCode -and $line -match '^### (.+)$') { $sub = $Matches[1].Trim(); $doc[$section][$sub] = @(); continue }
        if ($section) { $doc[$section][$sub] += , $line }
    }
    return $doc
}

function Get-Paragraphs([string[]] $lines) {
    $text = ($lines -join "`n").Trim()
    if (-not $text) { return @() }
    return @($text -split "\n\s*\n" | ForEach-Object { ($_ -replace '\s*\n\s*', ' ').Trim() })
}

function Add-Paragraphs($writer, [string] $element, [string[]] $lines) {
    $writer.WriteStartElement('maml', $element, $ns.maml)
    foreach ($p in Get-Paragraphs $lines) { $writer.WriteElementString('maml', 'para', $ns.maml, $p) }
    $writer.WriteEndElement()
}

function Get-PipelineInput($parameter) {
    $kinds = @()
    foreach ($a in $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ParameterAttribute] }) {
        if ($a.ValueFromPipelineByPropertyName) { $kinds += 'ByPropertyName' }
        if ($a.ValueFromPipeline) { $kinds += 'ByValue' }
    }
    $kinds = @($kinds | Select-Object -Unique)
    if ($kinds.Count) { "True ($($kinds -join ', '))" } else { 'False' }
}

function Get-HelpTypeName([type] $type) {
    # What a user types and PowerShell's own help shows: SmtpReturnContent for SmtpReturnContent?,
    # String[] for string[]; never a CLR name such as Nullable`1.
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { return Get-HelpTypeName $underlying }
    if ($type.IsArray) { return (Get-HelpTypeName $type.GetElementType()) + '[' + (',' * ($type.GetArrayRank() - 1)) + ']' }
    if ($type.IsGenericType) {
        $arguments = @($type.GetGenericArguments() | ForEach-Object { Get-HelpTypeName $_ })
        return ($type.Name -replace '`\d+$') + '[' + ($arguments -join ', ') + ']'
    }
    return $type.Name
}

function Get-ParameterValues($parameter) {
    # The values PowerShell's own help lists in the syntax, as {Auto | None | ...}: a ValidateSet, or
    # the names of an enum (also behind Nullable or an array).
    $set = $parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.ValidateSetAttribute] } | Select-Object -First 1
    if ($set) { return @($set.ValidValues) }
    $type = $parameter.ParameterType
    if ($type.IsArray) { $type = $type.GetElementType() }
    $underlying = [Nullable]::GetUnderlyingType($type)
    if ($underlying) { $type = $underlying }
    if ($type.IsEnum) { return [Enum]::GetNames($type) }
    return @()
}

function Format-DefaultValue($value) {
    # A value the code sets is a default worth showing; null, 0, '' and an empty array mean "not given".
    if ($null -eq $value) { return $null }
    if ($value -is [Enum]) { return $value.ToString() }
    if ($value -is [string]) { return $(if ($value) { $value } else { $null }) }
    if ($value -is [System.Collections.IEnumerable]) {
        $items = @($value | ForEach-Object { Format-DefaultValue $_ })
        return $(if ($items.Count) { $items -join ', ' } else { $null })
    }
    if ($value -is [ValueType] -and -not $value.Equals([Activator]::CreateInstance($value.GetType()))) {
        if ($value -is [IFormattable]) { return $value.ToString($null, [cultureinfo]::InvariantCulture) }
        return $value.ToString()
    }
    return $null
}

function Get-DocumentedDefault([string[]] $description) {
    # The docs' "Default: <text>." sentence; the text ends at a full stop that ends the sentence, so
    # "[192.0.2.1]" or "v1.2" stay whole. Case-sensitive: "Auto (the default: ...)" is prose, not this.
    $text = ($description -join ' ') -replace '\s+', ' '
    $match = [regex]::Match($text, '(?:^|(?<=[.:]\s))Default: (.+?)\.(?=\s|$)')
    if ($match.Success) { return $match.Groups[1].Value }
    return $null
}

function Get-ParameterDefault($cmd, $instance, $parameter, [string[]] $description) {
    if ($parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]) { return 'False' }
    $documented = Get-DocumentedDefault $description
    $property = if ($instance) { $instance.GetType().GetProperty($parameter.Name) }
    $coded = if ($property) { Format-DefaultValue $property.GetValue($instance) }
    if ($coded) {
        # The code is what runs: the docs may say more ("25 (587 for ...)") but not something else.
        if ($documented -and $documented -cnotmatch ('^' + [regex]::Escape($coded) + '(\W|$)')) {
            throw "docs/$($cmd.Name).md says 'Default: $documented.' for -$($parameter.Name), but the cmdlet's default is $coded."
        }
        return $coded
    }
    if ($documented) { return $documented }
    return 'None'
}

function Write-Parameter($writer, $parameter, $setParameter, [string[]] $description, [string] $default) {
    $isSwitch = $parameter.ParameterType -eq [System.Management.Automation.SwitchParameter]
    $required = if ($setParameter) { $setParameter.IsMandatory } else { @($parameter.ParameterSets.Values | Where-Object IsMandatory).Count -gt 0 }
    $positions = if ($setParameter) { @($setParameter.Position) } else { @($parameter.ParameterSets.Values.Position) }
    $position = $positions | Where-Object { $_ -ge 0 } | ForEach-Object { [string]$_ } | Select-Object -First 1
    if (-not $position) { $position = 'named' }
    $globbing = [bool]($parameter.Attributes | Where-Object { $_ -is [System.Management.Automation.SupportsWildcardsAttribute] })
    $writer.WriteStartElement('command', 'parameter', $ns.command)
    $writer.WriteAttributeString('required', $required.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('variableLength', 'true')
    $writer.WriteAttributeString('globbing', $globbing.ToString().ToLowerInvariant())
    $writer.WriteAttributeString('pipelineInput', (Get-PipelineInput $parameter))
    $writer.WriteAttributeString('position', $position)
    $writer.WriteAttributeString('aliases', $(if ($parameter.Aliases.Count) { $parameter.Aliases -join ', ' } else { 'none' }))
    $writer.WriteElementString('maml', 'name', $ns.maml, $parameter.Name)
    Add-Paragraphs $writer 'description' $description
    $typeName = Get-HelpTypeName $parameter.ParameterType
    # In the syntax, a choice shows its values ([-TlsMode {Auto | None | ...}]), as PowerShell's own help.
    $values = @(if ($setParameter -and -not $isSwitch) { Get-ParameterValues $parameter })
    if ($values.Count) {
        $writer.WriteStartElement('command', 'parameterValueGroup', $ns.command)
        foreach ($value in $values) {
            $writer.WriteStartElement('command', 'parameterValue', $ns.command)
            $writer.WriteAttributeString('required', 'false')
            $writer.WriteAttributeString('variableLength', 'false')
            $writer.WriteString($value)
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }
    if (-not $isSwitch) {
        $writer.WriteStartElement('command', 'parameterValue', $ns.command)
        $writer.WriteAttributeString('required', 'true')
        $writer.WriteAttributeString('variableLength', 'false')
        $writer.WriteString($typeName)
        $writer.WriteEndElement()
    }
    $writer.WriteStartElement('dev', 'type', $ns.dev)
    $writer.WriteElementString('maml', 'name', $ns.maml, $typeName)
    $writer.WriteEndElement()
    $writer.WriteElementString('dev', 'defaultValue', $ns.dev, $default)
    $writer.WriteEndElement()
}

$ns = @{
    maml    = 'http://schemas.microsoft.com/maml/2004/10'
    command = 'http://schemas.microsoft.com/maml/dev/command/2004/10'
    dev     = 'http://schemas.microsoft.com/maml/dev/2004/10'
}

$null = New-Item -ItemType Directory -Path $OutputPath -Force
$settings = [System.Xml.XmlWriterSettings]@{ Indent = $true; Encoding = [System.Text.UTF8Encoding]::new($false) }
$writer = [System.Xml.XmlWriter]::Create((Join-Path $OutputPath "$($module.Name).dll-Help.xml"), $settings)
$writer.WriteStartElement('helpItems', 'http://msh')
$writer.WriteAttributeString('schema', 'maml')
foreach ($cmd in Get-Command -Module $module.Name -CommandType Cmdlet | Sort-Object Name) {
    $doc = Read-HelpMarkdown (Join-Path $DocsPath "$($cmd.Name).md")
    $parameterDocs = $doc['PARAMETERS']
    $writer.WriteStartElement('command', 'command', $ns.command)
    $writer.WriteAttributeString('xmlns', 'maml', $null, $ns.maml)
    $writer.WriteAttributeString('xmlns', 'dev', $null, $ns.dev)

    $writer.WriteStartElement('command', 'details', $ns.command)
    $writer.WriteElementString('command', 'name', $ns.command, $cmd.Name)
    $writer.WriteElementString('command', 'verb', $ns.command, $cmd.Verb)
    $writer.WriteElementString('command', 'noun', $ns.command, $cmd.Noun)
    Add-Paragraphs $writer 'description' $doc['SYNOPSIS']['']
    $writer.WriteEndElement()
    Add-Paragraphs $writer 'description' $doc['DESCRIPTION']['']

    # A new instance holds the defaults the cmdlet's code sets (PowerShell creates one per call the same way).
    $instance = [Activator]::CreateInstance($cmd.ImplementingType)
    $defaults = @{}
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $defaults[$p.Name] = Get-ParameterDefault $cmd $instance $p $parameterDocs["-$($p.Name)"]
    }
    if ($instance -is [IDisposable]) { $instance.Dispose() }

    $writer.WriteStartElement('command', 'syntax', $ns.command)
    foreach ($set in $cmd.ParameterSets) {
        $writer.WriteStartElement('command', 'syntaxItem', $ns.command)
        $writer.WriteElementString('maml', 'name', $ns.maml, $cmd.Name)
        foreach ($p in $set.Parameters | Where-Object { $_.Name -notin $common }) {
            Write-Parameter $writer $cmd.Parameters[$p.Name] $p $parameterDocs["-$($p.Name)"] $defaults[$p.Name]
        }
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'parameters', $ns.command)
    foreach ($p in $cmd.Parameters.Values | Where-Object { $_.Name -notin $common }) {
        $description = $parameterDocs["-$($p.Name)"]
        if (-not $description) { throw "docs/$($cmd.Name).md does not describe -$($p.Name)." }
        Write-Parameter $writer $p $null $description $defaults[$p.Name]
    }
    $writer.WriteEndElement()

    foreach ($pair in @(@('INPUTS', 'inputTypes', 'inputType'), @('OUTPUTS', 'returnValues', 'returnValue'))) {
        $writer.WriteStartElement('command', $pair[1], $ns.command)
        foreach ($typeName in @($doc[$pair[0]].Keys | Where-Object { $_ })) {
            $writer.WriteStartElement('command', $pair[2], $ns.command)
            $writer.WriteStartElement('dev', 'type', $ns.dev)
            $writer.WriteElementString('maml', 'name', $ns.maml, $typeName)
            $writer.WriteEndElement()
            Add-Paragraphs $writer 'description' $doc[$pair[0]][$typeName]
            $writer.WriteEndElement()
        }
        $writer.WriteEndElement()
    }

    $writer.WriteStartElement('maml', 'alertSet', $ns.maml)
    $writer.WriteStartElement('maml', 'alert', $ns.maml)
    foreach ($p in Get-Paragraphs $doc['NOTES']['']) { $writer.WriteElementString('maml', 'para', $ns.maml, $p) }
    $writer.WriteEndElement()
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'examples', $ns.command)
    foreach ($title in @($doc['EXAMPLES'].Keys | Where-Object { $_ })) {
        $lines = $doc['EXAMPLES'][$title]
        $fence = @(0..($lines.Count - 1) | Where-Object { $lines[$_] -match '^```' })
        $code = $lines[($fence[0] + 1)..($fence[1] - 1)] -join "`n"
        $remarks = if ($fence[1] + 1 -lt $lines.Count) { $lines[($fence[1] + 1)..($lines.Count - 1)] } else { @() }
        $writer.WriteStartElement('command', 'example', $ns.command)
        $writer.WriteElementString('maml', 'title', $ns.maml, "-------------------------- $title --------------------------")
        $writer.WriteElementString('dev', 'code', $ns.dev, $code)
        $writer.WriteStartElement('dev', 'remarks', $ns.dev)
        foreach ($p in Get-Paragraphs $remarks) { $writer.WriteElementString('maml', 'para', $ns.maml, $p) }
        $writer.WriteEndElement()
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()

    $writer.WriteStartElement('command', 'relatedLinks', $ns.command)
    foreach ($link in Get-Paragraphs $doc['RELATED LINKS']['']) {
        $writer.WriteStartElement('maml', 'navigationLink', $ns.maml)
        $writer.WriteElementString('maml', 'linkText', $ns.maml, $link)
        $writer.WriteElementString('maml', 'uri', $ns.maml, '')
        $writer.WriteEndElement()
    }
    $writer.WriteEndElement()
    $writer.WriteEndElement()
}
$writer.WriteEndElement()
$writer.Dispose()

foreach ($about in Get-ChildItem -LiteralPath $DocsPath -Filter 'about_*.md') {
    Copy-Item -LiteralPath $about.FullName -Destination (Join-Path $OutputPath ($about.BaseName + '.help.txt'))
}
