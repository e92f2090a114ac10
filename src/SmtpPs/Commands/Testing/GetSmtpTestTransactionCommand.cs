using System.Linq;
using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Get-SmtpTestTransaction: every transaction a test server saw, refused and broken ones too, with the replies it gave.</summary>
    [Cmdlet(VerbsCommon.Get, "SmtpTestTransaction")]
    [OutputType(typeof(SmtpTestTransaction))]
    public sealed class GetSmtpTestTransactionCommand : SmtpTestCmdletBase
    {
        [Parameter]
        [ValidateNotNullOrEmpty]
        public SmtpTestOutcome[]? Outcome { get; set; }

        /// <summary>A recipient the client tried (accepted or refused); wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [Alias("Recipient")]
        [ValidateNotNullOrEmpty]
        public string? To { get; set; }

        [Parameter]
        [SupportsWildcards]
        [Alias("Sender")]
        [ValidateNotNull]
        public string? From { get; set; }

        protected override void ProcessRecord()
        {
            WildcardPattern? to = To == null ? null : new WildcardPattern(To, WildcardOptions.IgnoreCase);
            WildcardPattern? from = From == null ? null : new WildcardPattern(From, WildcardOptions.IgnoreCase);
            foreach (SmtpTestServer server in ResolveServers())
            {
                WriteObject(server.Transactions.Where(t =>
                    (Outcome == null || Outcome.Contains(t.Outcome)) &&
                    (to == null || t.Recipients.Any(r => to.IsMatch(r.Address))) &&
                    (from == null || from.IsMatch(t.MailFrom))), enumerateCollection: true);
            }
        }
    }
}
