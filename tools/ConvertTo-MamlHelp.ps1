<#
.SYNOPSIS
    Turns the help markdown in docs/ into the MAML file the module ships (platyPS is not available).
.DESCRIPTION
    The prose comes from docs/<Cmdlet>.md (sections SYNOPSIS, DESCRIPTION, PARAMETERS, INPUTS, OUTPUTS,
    NOTES, EXAMPLES, RELATED LINKS); the syntax, types, positions, pipeline input and aliases come from
    the built cmdlet itself, so they cannot drift from the code. about_*.md files become about_*.help.txt.
    build.ps1 runs this in a fresh pwsh after it assembled the module.
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
    $typeName = $parameter.ParameterType.Name
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
    $writer.WriteElementString('dev', 'defaultValue', $ns.dev, $(if ($default) { $default } elseif ($isSwitch) { 'False' } else { 'None' }))
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

    $defaults = @{}
    foreach ($name in @($parameterDocs.Keys)) {
        $match = ($parameterDocs[$name] -join ' ') | Select-String -Pattern 'Default: ([^.]+(?:\.\d+)?)\.' 
        if ($match) { $defaults[$name.TrimStart('-')] = $match.Matches[0].Groups[1].Value }
    }

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
