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

        private SessionOptions? _options;
        private MailDelivery? _delivery;
        private ProgressReporter? _progress;
        private byte[]? _scanBuffer;

        /// <summary>Message files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true,
            ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Message files, taken exactly as written; binds FileInfo objects from Get-ChildItem.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP", "FullName")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

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

            if (To == null && !RecipientsFromHeaders)
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

            _options = BuildSessionOptions();
            _options.QuitAfter = QuitAfter;
            _options.Notify = DeliveryNotification;
            _options.ReturnContent = ReturnContent;
            _options.EnvelopeId = EnvelopeId;
            _progress = new ProgressReporter(this, $"Send-RawSmtpMail to {Target}");
            _delivery = new MailDelivery(_options, this, CreateLog(), StopToken);
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            _scanBuffer ??= new byte[ContentScanner.BlockSize];
            foreach (string given in literal ? LiteralPath : Path)
            {
                foreach (ResolvedFile file in MessageFiles.Resolve(this, given, literal))
                {
                    MessageContent? content = file.Problem == null ? Read(file) : null;
                    if (file.Problem != null)
                    {
                        Reject(file.Name, file.Problem);
                    }
                    else if (content != null)
                    {
                        Send(content);
                    }
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

        /// <summary>Reads and checks a file; a file that cannot be sent is that file's problem, and the batch goes on.</summary>
        private MessageContent? Read(ResolvedFile file)
        {
            try
            {
                return FileContent.Read(file.FullPath!, _scanBuffer!, StopToken);
            }
            catch (ContentException e) when (e.Problem == ContentProblem.Empty)
            {
                Reject(file.Name, MessageProblem.Unusable("MessageFileEmpty",
                    $"The message file '{file.Name}' is empty, or it is not a regular file (a FIFO, a device or standard input) that can be " +
                    "read and checked before it is sent; to send text that is not in a file, give it to -Content."));
            }
            catch (ContentException e)
            {
                Reject(file.Name, MessageProblem.BadContent(e));
            }
            catch (Exception e) when (e is System.IO.IOException || e is UnauthorizedAccessException)
            {
                Reject(file.Name, MessageProblem.Unusable("MessageFileUnreadable", $"The message file '{file.Name}' cannot be read: {e.Message}"));
            }

            return null;
        }

        /// <summary>Makes the envelope of a message and sends it; an envelope that cannot be made is that message's problem.</summary>
        private void Send(MessageContent message)
        {
            Envelope? envelope = MessageEnvelopes.For(message, From, To, RecipientsFromHeaders, out MessageProblem? problem);
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

            if (message.Facts.HasBcc)
            {
                // A raw send does not strip it, so every recipient sees the Bcc list.
                WriteWarning($"'{message.Name}' has a Bcc header: a raw send delivers it, with its addresses, to every recipient.");
            }

            _progress!.Message(message.Name);
            _delivery!.Submit(message, envelope);
        }

        /// <summary>A message that cannot be sent gets its outcome in its place among the others, and the batch goes on.</summary>
        private void Reject(string name, MessageProblem problem) => _delivery!.Reject(name, From ?? string.Empty, problem);
    }
}
