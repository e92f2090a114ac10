using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using System.Threading;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Get-SmtpTestMessage: the messages a test server captured, in arrival order, optionally waiting for them.</summary>
    [Cmdlet(VerbsCommon.Get, "SmtpTestMessage")]
    [OutputType(typeof(SmtpTestMessage))]
    public sealed class GetSmtpTestMessageCommand : SmtpTestCmdletBase
    {
        private const int DefaultTimeoutSec = 10;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>An envelope recipient (RCPT TO) the message must have; wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [Alias("Recipient")]
        [ValidateNotNullOrEmpty]
        public string? To { get; set; }

        /// <summary>The envelope sender (MAIL FROM); wildcards allowed.</summary>
        [Parameter]
        [SupportsWildcards]
        [Alias("Sender")]
        [ValidateNotNull]
        public string? From { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNull]
        public string? Subject { get; set; }

        /// <summary>Waits until at least this many matching messages have arrived.</summary>
        [Parameter]
        [ValidateRange(1, int.MaxValue)]
        public int Count { get; set; }

        /// <summary>How long to wait for -Count messages. Default: 10.</summary>
        [Parameter]
        [ValidateRange(0, int.MaxValue)]
        public int TimeoutSec { get; set; } = DefaultTimeoutSec;

        protected override void ProcessRecord()
        {
            Func<SmtpTestMessage, bool> filter = Filter();
            bool wait = MyInvocation.BoundParameters.ContainsKey(nameof(Count)) || MyInvocation.BoundParameters.ContainsKey(nameof(TimeoutSec));
            int count = Count > 0 ? Count : 1;
            foreach (SmtpTestServer server in ResolveServers())
            {
                IReadOnlyList<SmtpTestMessage> messages;
                if (!wait)
                {
                    messages = server.Messages.Where(filter).ToArray();
                }
                else
                {
                    WriteVerbose($"Waiting up to {TimeoutSec} s for {count} message(s) on {server}.");
                    messages = server.WaitForMessages(filter, count, TimeSpan.FromSeconds(TimeoutSec), _stop.Token, out bool enough);
                    if (_stop.IsCancellationRequested)
                    {
                        return;
                    }

                    if (!enough)
                    {
                        WriteError(new ErrorRecord(
                            new TimeoutException($"{messages.Count} of the {count} message(s) asked for arrived at {server} within {TimeoutSec} s{Described()}. " +
                                "Check that the script sent to this server's port, or raise -TimeoutSec."),
                            "SmtpTestMessageTimeout", ErrorCategory.OperationTimeout, server));
                    }
                }

                WriteObject(messages, enumerateCollection: true);
            }
        }

        protected override void StopProcessing() => _stop.Cancel();

        private Func<SmtpTestMessage, bool> Filter()
        {
            WildcardPattern? to = Pattern(To), from = Pattern(From), subject = Pattern(Subject);
            return m => (to == null || m.RcptTo.Any(to.IsMatch)) && (from == null || from.IsMatch(m.MailFrom)) && (subject == null || subject.IsMatch(m.Subject));
        }

        private string Described()
        {
            var parts = new List<string>();
            if (To != null) parts.Add($"to '{To}'");
            if (From != null) parts.Add($"from '{From}'");
            if (Subject != null) parts.Add($"with subject '{Subject}'");
            return parts.Count == 0 ? string.Empty : " " + string.Join(" ", parts);
        }

        private static WildcardPattern? Pattern(string? text) => text == null ? null : new WildcardPattern(text, WildcardOptions.IgnoreCase);
    }
}
