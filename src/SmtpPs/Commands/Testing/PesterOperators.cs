using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>
    /// Registers Should -HaveReceivedMail with Pester, when Pester is loaded, the first time a test starts
    /// a server. One operator only: Pester 5 and 6 allow 32 in all and take 26 themselves. Registering
    /// the same text again is a no-op in Pester; a different text (another SmtpPs version) is left alone.
    /// </summary>
    internal static class PesterOperators
    {
        // In a child scope (& { }), so that nothing is left in the caller's variables.
        private const string Registration = @"
& { if (Get-Command -Name Add-ShouldOperator -ErrorAction Ignore) {
    $test = {
        param($ActualValue, [string] $To, [string] $From, [string] $Subject, $Times, [switch] $Negate, [string] $Because, $CallerSessionState)
        # -To, -From and -Subject take -like patterns on the envelope recipients, the envelope sender and the decoded subject.
        $messages = @(foreach ($item in $ActualValue) {
            if ($item -is [SmtpPs.SmtpTestServer]) { $item.Messages } elseif ($item -is [SmtpPs.SmtpTestMessage]) { $item }
            else { throw ""Should -HaveReceivedMail takes an SMTP test server or its messages, not '$item'."" }
        })
        $matching = @($messages | Where-Object {
            (-not $To -or @($_.RcptTo -like $To).Count -gt 0) -and
            (-not $PSBoundParameters.ContainsKey('From') -or $_.MailFrom -like $From) -and
            (-not $Subject -or $_.Subject -like $Subject)
        })
        $succeeded = if ($null -ne $Times) { $matching.Count -eq [int]$Times } else { $matching.Count -gt 0 }
        if ($Negate) { $succeeded = -not $succeeded }
        $what = 'a message'
        if ($null -ne $Times) { $what = ""$([int]$Times) message(s)"" }
        if ($To) { $what += "" to '$To'"" }
        if ($PSBoundParameters.ContainsKey('From')) { $what += "" from '$From'"" }
        if ($Subject) { $what += "" with subject '$Subject'"" }
        $seen = if ($messages.Count -eq 0) { 'no message' } else {
            ""$($messages.Count) message(s): "" + (($messages | ForEach-Object { ""#$($_.Number) <$($_.MailFrom)> to $($_.RcptTo -join ', '): '$($_.Subject)'"" }) -join '; ')
        }
        $reason = if ($Because) { "", because $Because"" } else { '' }
        [pscustomobject]@{
            Succeeded      = $succeeded
            FailureMessage = if ($Negate) { ""Expected no $($what -replace '^a message', 'message')$reason, but $($matching.Count) of the $seen matched."" }
                             else { ""Expected $what$reason, but the server received $seen."" }
        }
    }
    try { Add-ShouldOperator -Name HaveReceivedMail -Test $test -SupportsArrayInput } catch { Write-Verbose ""Should -HaveReceivedMail is not registered: $_"" }
} }";

        internal static void Register(PSCmdlet cmdlet)
        {
            cmdlet.InvokeCommand.InvokeScript(Registration);
        }
    }
}
