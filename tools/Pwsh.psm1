# How to start a fresh pwsh like the one running: build.ps1, the tests and the benchmark share it.

function Get-PwshCommand {
    <# The command line that starts a pwsh like this one: 'dotnet pwsh' runs pwsh.dll under dotnet. #>
    $process = [System.Diagnostics.Process]::GetCurrentProcess().MainModule.FileName
    if ([System.IO.Path]::GetFileNameWithoutExtension($process) -eq 'dotnet') {
        return @($process, [System.Reflection.Assembly]::GetEntryAssembly().Location)
    }
    return @($process)
}

Export-ModuleMember -Function Get-PwshCommand
