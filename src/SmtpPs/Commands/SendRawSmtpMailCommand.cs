using System;
using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SmtpPs.Content;
using SmtpPs.Delivery;
using SmtpPs.Protocol;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Sends raw messages over one SMTP session and writes every server reply to the pipeline. A thin
    /// layer: it checks parameters before any I/O, resolves paths and envelopes, hands each message to a
    /// <see cref="MailDelivery"/> (which owns the session and decides every outcome), and turns what the
    /// delivery reports into objects, error records and progress.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "RawSmtpMail", DefaultParameterSetName = PathSet, SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpReply), typeof(SmtpMessageResult))]
    public sealed class SendRawSmtpMailCommand : SmtpCmdletBase, IDeliveryObserver
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string ContentSet = "Content";
        private const string InputObjectSet = "InputObject";

        private SessionOptions? _options;
        private MailDelivery? _delivery;
        private ProgressReporter? _progress;
        private MessageSourcing? _sourcing;

        /// <summary>Message files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Message files, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Messages given in memory: text (sent as UTF-8), a byte[], a New-MimeMessage message or a MimeKit MimeMessage; an array holds several.</summary>
        [Parameter(Mandatory = true, ParameterSetName = ContentSet)]
        [ValidateNotNull]
        public object Content { get; set; } = Array.Empty<object>();

        /// <summary>
        /// What the pipeline brings: paths (strings, with wildcards), files from Get-ChildItem, objects with a
        /// PSPath, FullName or Path property, New-MimeMessage and MimeKit messages, byte arrays.
        /// </summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true, ParameterSetName = InputObjectSet)]
        public object? InputObject { get; set; }

        /// <summary>The envelope sender (MAIL FROM); an empty string sends the null path &lt;&gt;; left out, the file's From: address.</summary>
        [Parameter]
        [AllowEmptyString]
        public string? From { get; set; }

        /// <summary>The envelope recipients (one RCPT TO each).</summary>
        [Parameter]
        [AllowEmptyString]
        public string[]? To { get; set; }

        /// <summary>Adds the addresses of the file's To, Cc and Bcc headers to the recipients, as sendmail -t.</summary>
        [Parameter]
        public SwitchParameter RecipientsFromHeaders { get; set; }

        /// <summary>Also writes one SmtpMessageResult per file: Delivered, NotDelivered, Unknown or Checked.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>Writes only the SmtpMessageResult objects, one per message, and no replies: what a scheduled script reads.</summary>
        [Parameter]
        public SwitchParameter ResultOnly { get; set; }

        /// <summary>How many times a transient failure (no connection, 421, 4xx) is tried again, after the other messages.</summary>
        [Parameter]
        [ValidateRange(0, 100)]
        public int MaximumRetryCount { get; set; }

        /// <summary>Seconds before the first retry; each later retry waits twice as long as the one before.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int RetryIntervalSec { get; set; } = 5;

        /// <summary>The caller's deadline: no retry round starts after this time.</summary>
        [Parameter]
        public DateTime? RetryUntil { get; set; }

        /// <summary>Also tries again a message whose outcome is Unknown, when it has a Message-ID: a receiver may get it twice.</summary>
        [Parameter]
        public SwitchParameter RetryUnknown { get; set; }

        /// <summary>Sends a message only when the server accepts every one of its recipients; otherwise RSET, and NotDelivered.</summary>
        [Parameter]
        public SwitchParameter RequireAllRecipients { get; set; }

        /// <summary>Stops the real dialogue after this step, then RSET/QUIT: checks without delivering.</summary>
        [Parameter]
        public SmtpQuitAfter QuitAfter { get; set; } = SmtpQuitAfter.None;

        /// <summary>DSN (RFC 3461): when to notify; Never, or any of Success, Failure, Delay.</summary>
        [Parameter]
        public SmtpDeliveryNotification DeliveryNotification { get; set; }

        /// <summary>DSN: return the full message or only its headers with a failure notice.</summary>
        [Parameter]
        public SmtpReturnContent? ReturnContent { get; set; }

        /// <summary>DSN: an envelope id that notifications quote back (up to 100 printable ASCII characters).</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? EnvelopeId { get; set; }

        protected override void BeginProcessing()
        {
            string? problem;
            if (From != null && (problem = MailboxRules.CheckSender(From)) != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidSenderAddress", $"-From '{From}': {problem}", From));
            }

            foreach (string recipient in To ?? Array.Empty<string>())
            {
                problem = MailboxRules.CheckRecipient(recipient ?? string.Empty);
                if (problem != null)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidRecipientAddress", $"-To '{recipient}': {problem}", recipient));
                }
            }

            bool onlyFiles = ParameterSetName == PathSet || ParameterSetName == LiteralPathSet;
            if (onlyFiles && To == null && !RecipientsFromHeaders)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("RecipientsRequired",
                    "Give the recipients with -To, or take them from the files' headers with -RecipientsFromHeaders.", null));
            }

            if ((DeliveryNotification & SmtpDeliveryNotification.Never) != 0 && DeliveryNotification != SmtpDeliveryNotification.Never)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidDeliveryNotification",
                    "-DeliveryNotification Never cannot be combined with Success, Failure or Delay (RFC 3461 4.1).", DeliveryNotification));
            }

            if (EnvelopeId != null && (EnvelopeId.Any(c => c < '!' || c > '~') || Xtext.Encode(EnvelopeId).Length > MailParameters.MaxEnvelopeIdXtext))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidEnvelopeId",
                    $"-EnvelopeId must be printable ASCII without spaces, at most {MailParameters.MaxEnvelopeIdXtext} characters once encoded " +
                    "for the wire, where '+' and '=' take three characters each (RFC 3461 4.4).", EnvelopeId));
            }

            if (RetryUnknown && MaximumRetryCount == 0)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("RetryUnknownWithoutRetries",
                    "-RetryUnknown sends a message whose outcome is Unknown again in a retry: give -MaximumRetryCount too.", null));
            }

            if (RetryUntil != null && MaximumRetryCount == 0)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("RetryUntilWithoutRetries",
                    "-RetryUntil is the deadline of the retries: give -MaximumRetryCount too.", RetryUntil));
            }

            if (RetryUntil is DateTime deadline && deadline.ToUniversalTime() <= DateTime.UtcNow)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("RetryUntilPassed",
                    $"-RetryUntil {deadline:o} has already passed: give a time to come, such as (Get-Date).AddMinutes(30).", RetryUntil));
            }

            bool mxRouting = Server.Length == 0;
            if (mxRouting && TlsServerName != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("TlsServerNameWithMxRouting",
                    "-TlsServerName names the certificate of one server; with MX routing (no -Server) each MX host's certificate is checked against its own name.", TlsServerName));
            }

            _options = BuildSessionOptions();
            _options.QuitAfter = QuitAfter;
            _options.Notify = DeliveryNotification;
            _options.ReturnContent = ReturnContent;
            _options.EnvelopeId = EnvelopeId;
            _options.RequireAllRecipients = RequireAllRecipients;
            var delivery = new DeliveryOptions(_options, mxRouting)
            {
                DnsServer = ParsedDnsServer,
                MaxRetries = MaximumRetryCount,
                RetryInterval = TimeSpan.FromSeconds(RetryIntervalSec),
                RetryUnknown = RetryUnknown,
                RetryUntil = RetryUntil?.ToUniversalTime(),
            };
            _progress = new ProgressReporter(this, $"Send-RawSmtpMail to {Target}");
            _delivery = new MailDelivery(delivery, this, CreateLog(), StopToken);
        }

        protected override void ProcessRecord()
        {
            _sourcing ??= new MessageSourcing(this, StopToken);
            IEnumerable<PreparedMessage> messages = ParameterSetName switch
            {
                PathSet => Path.SelectMany(path => _sourcing.FromPath(path, literal: false)),
                LiteralPathSet => LiteralPath.SelectMany(path => _sourcing.FromPath(path, literal: true)),
                ContentSet => _sourcing.FromContent(Content),
                _ => _sourcing.FromPipeline(InputObject!),
            };

            foreach (PreparedMessage message in messages)
            {
                if (message.Problem != null)
                {
                    Reject(message.Name, message.Problem);
                }
                else
                {
                    Send(message);
                }
            }
        }

        protected override void EndProcessing()
        {
            _progress?.Done();
            _delivery?.Complete();
        }

        protected override void OnDispose()
        {
            _delivery?.Dispose();
            _delivery = null;
        }

        void IDialogueSink.OnReply(SmtpReply reply)
        {
            if (CanWrite && !ResultOnly)
            {
                WriteObject(reply);
            }
        }

        void IDialogueSink.OnProgress(string name, long done, long total)
        {
            if (CanWrite)
            {
                _progress!.Content(name, done, total);
            }
        }

        /// <summary>A message's outcome is final: its result (with -PassThru) first, then one error per problem.</summary>
        void IDeliveryObserver.OnOutcome(SmtpMessageResult result)
        {
            if (!CanWrite)
            {
                return;
            }

            if (PassThru || ResultOnly)
            {
                WriteObject(result);
            }

            foreach (MessageProblem problem in result.Problems)
            {
                WriteError(ErrorRecords.ForProblem(problem, result));
            }
        }

        void IDeliveryObserver.OnSessionEnded(SessionEnd end)
        {
            if (CanWrite)
            {
                WriteError(ErrorRecords.SessionEnded(end));
            }
        }

        /// <summary>Makes the envelope of a message and sends it; an envelope that cannot be made is that message's problem.</summary>
        private void Send(PreparedMessage prepared)
        {
            MessageContent message = prepared.Content!;
            MessageProblem? problem;
            Envelope? envelope = prepared.Implied != null
                ? MessageEnvelopes.For(message, prepared.Implied, From, To, RecipientsFromHeaders, out problem)
                : MessageEnvelopes.For(message, From, To, RecipientsFromHeaders, out problem);
            if (envelope == null)
            {
                Reject(message.Name, problem!);
                return;
            }

            string? tooLong = MailParameters.CheckLengths(message, envelope, _options!);
            if (tooLong != null)
            {
                Reject(message.Name, MessageProblem.Unusable("CommandTooLong", $"{tooLong} Use shorter addresses."));
                return;
            }

            string action = $"Send to {Target} (TLS {TlsMode}) from <{envelope.From}> to <{string.Join(">, <", envelope.To)}>, " +
                            $"{message.Facts.WireSize.ToString("N0", System.Globalization.CultureInfo.InvariantCulture)} octets";
            if (!ShouldProcess(message.Name, action))
            {
                return;
            }

            if (prepared.Implied == null)
            {
                WarnAboutHeaders(message);
            }

            _progress!.Message(message.Name);
            _delivery!.Submit(message, envelope);
        }

        /// <summary>
        /// What receivers hold against a raw message, said but not refused (a raw message is sent as it is):
        /// a Bcc header goes to every recipient; without From, Date or Message-ID (RFC 5322 3.6) many
        /// receivers refuse it or mark it as spam.
        /// </summary>
        private void WarnAboutHeaders(MessageContent message)
        {
            string headers = message.Facts.Headers;
            if (message.Facts.HasBcc)
            {
                WriteWarning($"'{message.Name}' has a Bcc header: a raw send delivers it, with its addresses, to every recipient.");
            }

            var missing = new List<string>();
            foreach (string field in new[] { "From", "Date", "Message-ID" })
            {
                if (!HeaderFields.Has(headers, field))
                {
                    missing.Add(field);
                }
            }

            if (missing.Count > 0 && !message.Facts.HeadersTruncated)
            {
                WriteWarning($"'{message.Name}' has no {string.Join(", no ", missing)} header (RFC 5322 3.6 requires From and Date, and " +
                    "Message-ID lets receivers find duplicates); many receivers refuse such a message or mark it as spam. New-MimeMessage always sets them.");
            }
        }

        /// <summary>A message that cannot be sent gets its outcome in its place among the others, and the batch goes on.</summary>
        private void Reject(string name, MessageProblem problem) => _delivery!.Reject(name, From ?? string.Empty, problem);
    }
}
