using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SmtpPs.Protocol;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Sends raw message files over one SMTP session and writes every server reply to the pipeline.
    /// A thin layer: it checks parameters and files before any I/O, drives <see cref="SmtpSession"/>,
    /// and turns what the session reports into objects, error records and progress.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "RawSmtpMail", DefaultParameterSetName = PathSet, SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpReply), typeof(SmtpMessageResult))]
    public sealed class SendRawSmtpMailCommand : SmtpCmdletBase
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int BatchProgressId = 1;
        private const int FileProgressId = 2;

        private readonly List<SmtpMessageResult> _results = new List<SmtpMessageResult>();
        private SessionOptions? _options;
        private SmtpSession? _session;
        private string? _sessionEndedBecause;
        private int _lastPercent = -1;
        private byte[]? _scanBuffer;
        private readonly System.Diagnostics.Stopwatch _sinceProgress = new System.Diagnostics.Stopwatch();

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

            if (EnvelopeId != null && (EnvelopeId.Length > 100 || EnvelopeId.Any(c => c < '!' || c > '~')))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidEnvelopeId",
                    "-EnvelopeId must be 1 to 100 printable ASCII characters without spaces (RFC 3461 4.4).", EnvelopeId));
            }

            _options = BuildSessionOptions();
            _options.QuitAfter = QuitAfter;
            _options.Notify = DeliveryNotification;
            _options.ReturnContent = ReturnContent;
            _options.EnvelopeId = EnvelopeId;
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            _scanBuffer ??= MessageContentScanner.NewBuffer();
            List<MessageFile> files = MessageFiles.Resolve(this, literal ? LiteralPath : Path, literal, _scanBuffer);

            // Every file of this call and its envelope are checked before any of them is sent.
            var envelopes = new List<Envelope>();
            foreach (MessageFile file in files)
            {
                Envelope envelope = MessageEnvelopes.For(this, file, From, To, RecipientsFromHeaders);
                CheckCommandLength(envelope.MailCommand, envelope.From);
                foreach (string recipient in envelope.To)
                {
                    CheckCommandLength(Envelope.RcptCommand(recipient), recipient);
                }

                envelopes.Add(envelope);
            }

            for (int i = 0; i < files.Count; i++)
            {
                SendOne(files[i], envelopes[i]);
            }
        }

        protected override void EndProcessing()
        {
            WriteProgress(new ProgressRecord(BatchProgressId, Activity, "Done") { RecordType = ProgressRecordType.Completed });
            if (_session == null)
            {
                return;
            }

            try
            {
                _session.Quit();
            }
            catch (SmtpException e)
            {
                WriteError(ErrorRecords.SessionFault(e, _session.ServerName, _results));
            }
            finally
            {
                _session = null;
            }
        }

        protected override void OnDispose()
        {
            // After a terminating error or -ErrorAction Stop the session is between replies, so a polite
            // QUIT is still possible; after Ctrl+C the socket is already closed.
            try
            {
                if (!IsStopping)
                {
                    _session?.Quit();
                }
            }
            catch (SmtpException)
            {
            }
            finally
            {
                _session?.Dispose();
                _session = null;
            }
        }

        internal override void OnReply(SmtpReply reply) => WriteObject(reply);

        /// <summary>Write-Progress for a large message: octets read of the file's size, at most once per percent.</summary>
        internal override void OnProgress(string path, long done, long total)
        {
            if (total < 1024 * 1024)
            {
                return;
            }

            int percent = (int)(done * 100 / total);
            if (percent == _lastPercent)
            {
                return;
            }

            _lastPercent = percent;
            WriteProgress(new ProgressRecord(FileProgressId, $"Sending {System.IO.Path.GetFileName(path)}", $"{done:N0} of {total:N0} octets")
            {
                ParentActivityId = BatchProgressId,
                PercentComplete = percent,
                RecordType = done >= total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }

        private string Activity => $"Send-RawSmtpMail to {Target}";

        private void SendOne(MessageFile message, Envelope envelope)
        {
            string file = message.Path;
            string size = message.Facts.Length.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
            string action = $"Send to {Target} (TLS {TlsMode}) from <{envelope.From}> to <{string.Join(">, <", envelope.To)}>, {size} octets";
            if (!ShouldProcess(file, action))
            {
                return;
            }

            if (message.Facts.HasBcc)
            {
                // RELIABILITY row 19: a raw send does not strip it, so every recipient sees the Bcc list.
                WriteWarning($"'{file}' has a Bcc header: a raw send delivers it, with its addresses, to every recipient.");
            }

            var result = new SmtpMessageResult(file, Target, envelope.From);
            _results.Add(result);
            if (!_sinceProgress.IsRunning || _sinceProgress.ElapsedMilliseconds >= 200)
            {
                // At most five updates a second: a batch of thousands must not spend its time drawing.
                WriteProgress(new ProgressRecord(BatchProgressId, Activity, $"File {_results.Count}: {System.IO.Path.GetFileName(file)}"));
                _sinceProgress.Restart();
            }

            if (_sessionEndedBecause != null)
            {
                WriteError(ErrorRecords.NotSent(file, _sessionEndedBecause));
                Emit(result);
                return;
            }

            // Once the session has the result, the session says when it is settled (OnSettled).
            bool handedOver = false;
            try
            {
                _session ??= SmtpSession.Open(_options!, CreateObserver(), StopToken);
                if (QuitAfter != SmtpQuitAfter.None && QuitAfter <= SmtpQuitAfter.Auth)
                {
                    result.Status = SmtpDeliveryStatus.Checked; // the session went as far as asked; no transaction
                }
                else
                {
                    _lastPercent = -1;
                    using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 1, FileOptions.SequentialScan);
                    handedOver = true;
                    _session.Send(envelope, message, content, result);
                }
            }
            catch (SmtpMessageNotSentException e)
            {
                // This file cannot go to this server as it is; the next one may.
                WriteError(ErrorRecords.MessageNotSent(e));
            }
            catch (SmtpSessionRejectedException e)
            {
                // The reply was already reported as an error record; later files cannot be sent.
                EndSession($"the server ended the session with {e.Reply.Code} {e.Reply.Text}");
            }
            catch (Exception e) when (e is SmtpException || e is IOException || e is UnauthorizedAccessException)
            {
                EndSession(e.Message);
                WriteError(ErrorRecords.SessionFault(e, Target, _results));
            }

            if (!handedOver)
            {
                Emit(result);
            }
        }

        internal override void OnSettled(SmtpMessageResult result) => Emit(result);

        private void EndSession(string reason)
        {
            _sessionEndedBecause = reason;
            _session?.Dispose();
            _session = null;
        }

        private void Emit(SmtpMessageResult result)
        {
            if (PassThru)
            {
                WriteObject(result);
            }
        }

        private void CheckCommandLength(string command, string value)
        {
            string? problem = CommandLine.Check(command);
            if (problem != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("CommandTooLong", $"'{command}' cannot be sent: {problem}", value));
            }
        }
    }
}
