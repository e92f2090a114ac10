using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Security;
using System.Threading;
using SmtpPs.Protocol;
using SmtpPs.Protocol.Sasl;
using SmtpPs.Session;
using SmtpPs.Transport;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Sends raw RFC 5322 message files over one SMTP session and writes every server reply to the
    /// pipeline. A thin layer: it validates parameters before any I/O, drives <see cref="SmtpSession"/>,
    /// and turns what the session reports into objects, error records and verbose lines.
    /// </summary>
    [Cmdlet(VerbsCommunications.Send, "RawSmtpMail", DefaultParameterSetName = PathSet, SupportsShouldProcess = true,
        ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpReply), typeof(SmtpMessageResult))]
    public sealed class SendRawSmtpMailCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";

        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private readonly List<SmtpMessageResult> _results = new List<SmtpMessageResult>();
        private SmtpSession? _session;
        private SessionOptions? _options;
        private Envelope _envelope = new Envelope(string.Empty, Array.Empty<string>());
        private string? _sessionEndedBecause;
        private bool _quiet;

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

        /// <summary>The envelope sender (MAIL FROM); an empty string sends the null path &lt;&gt;.</summary>
        [Parameter(Mandatory = true)]
        [AllowEmptyString]
        public string From { get; set; } = string.Empty;

        /// <summary>The envelope recipients (one RCPT TO each).</summary>
        [Parameter(Mandatory = true)]
        [AllowEmptyString]
        public string[] To { get; set; } = Array.Empty<string>();

        /// <summary>The SMTP server's name or address.</summary>
        [Parameter(Mandatory = true)]
        [Alias("SmtpServer", "ComputerName")]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; } = string.Empty;

        [Parameter]
        [ValidateRange(1, 65535)]
        public int Port { get; set; } = 25;

        /// <summary>The name sent with EHLO/HELO; the machine's FQDN or address literal by default.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? HeloName { get; set; }

        /// <summary>Caps every stage's timeout (RFC 5321 4.5.3.2 defaults: up to 10 minutes) at this many seconds.</summary>
        [Parameter]
        [ValidateRange(1, 86400)]
        public int TimeoutSec { get; set; }

        /// <summary>Also writes one SmtpMessageResult per file: Delivered, NotDelivered or Unknown.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        /// <summary>When to use TLS: Auto (465 implicit, else STARTTLS when offered and required with credentials).</summary>
        [Parameter]
        public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.Auto;

        /// <summary>The name the server certificate must carry, when -Server is an address or another name.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TlsServerName { get; set; }

        /// <summary>Accepts any certificate: the connection is encrypted but not authenticated.</summary>
        [Parameter]
        public SwitchParameter SkipCertificateCheck { get; set; }

        /// <summary>The SHA-256 of the one certificate to accept (hex), trusted or not.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? CertificateThumbprint { get; set; }

        /// <summary>User name and password for AUTH; with -AccessToken only the user name is used.</summary>
        [Parameter]
        [Credential]
        public PSCredential? Credential { get; set; }

        /// <summary>Forces one SASL mechanism instead of the strongest one offered.</summary>
        [Parameter]
        [ValidateSet("PLAIN", "LOGIN", "CRAM-MD5", "XOAUTH2", "OAUTHBEARER", IgnoreCase = true)]
        public string? AuthenticationMechanism { get; set; }

        /// <summary>An OAuth 2.0 access token for XOAUTH2/OAUTHBEARER (Microsoft 365, Gmail).</summary>
        [Parameter]
        public SecureString? AccessToken { get; set; }

        /// <summary>The user name for -AccessToken when no -Credential is given.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? UserName { get; set; }

        /// <summary>Lets credentials cross a connection without TLS. Never the default.</summary>
        [Parameter]
        public SwitchParameter AllowUnencryptedAuthentication { get; set; }

        protected override void BeginProcessing()
        {
            string? problem = MailboxRules.CheckSender(From);
            if (problem != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidSenderAddress", $"-From '{From}': {problem}", From));
            }

            foreach (string recipient in To)
            {
                problem = MailboxRules.CheckRecipient(recipient ?? string.Empty);
                if (problem != null)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidRecipientAddress", $"-To '{recipient}': {problem}", recipient));
                }
            }

            if (HeloName != null && (problem = Session.HeloName.Check(HeloName)) != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidHeloName", $"-HeloName: {problem}", HeloName));
            }

            if (Server.IndexOfAny(new[] { ' ', '\t', '\r', '\n', '\0', '/', '\\' }) >= 0)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidServerName", $"-Server '{Server}' is not a host name or address.", Server));
            }

            _envelope = new Envelope(From, To);
            CheckCommandLength(_envelope.MailCommand, From);
            foreach (string recipient in To)
            {
                CheckCommandLength(Envelope.RcptCommand(recipient), recipient);
            }

            if (HeloName != null)
            {
                CheckCommandLength("EHLO " + HeloName, HeloName);
            }

            _options = BuildSessionOptions();
        }

        /// <summary>The TLS and AUTH parameters, checked together before any I/O.</summary>
        private SessionOptions BuildSessionOptions()
        {
            var options = new SessionOptions(Server, Port)
            {
                HeloName = HeloName,
                Timeouts = TimeoutSec > 0 ? new SmtpTimeouts().CappedAt(TimeSpan.FromSeconds(TimeoutSec)) : new SmtpTimeouts(),
                TlsMode = TlsMode,
                TlsServerName = TlsServerName,
                SkipCertificateCheck = SkipCertificateCheck,
                CertificateThumbprint = CertificateThumbprint,
                AuthenticationMechanism = AuthenticationMechanism?.ToUpperInvariant(),
                AllowUnencryptedAuthentication = AllowUnencryptedAuthentication,
            };

            if (CertificateThumbprint != null && CertificatePolicy.ParseHex(CertificateThumbprint) == null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidCertificateThumbprint",
                    "-CertificateThumbprint must be the SHA-256 of the certificate: 64 hexadecimal digits.", CertificateThumbprint));
            }

            if (TlsServerName != null && Session.HeloName.Check(TlsServerName) != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidTlsServerName", $"-TlsServerName '{TlsServerName}' is not a host name.", TlsServerName));
            }

            string? user = UserName ?? Credential?.UserName;
            if (AccessToken != null && string.IsNullOrEmpty(user))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("AccessTokenNeedsUserName",
                    "-AccessToken needs the account's user name: give -UserName or -Credential.", null));
            }

            bool tokenMechanism = options.AuthenticationMechanism == "XOAUTH2" || options.AuthenticationMechanism == "OAUTHBEARER";
            if (options.AuthenticationMechanism != null && tokenMechanism != (AccessToken != null))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("AuthenticationMechanismMismatch",
                    tokenMechanism
                        ? $"-AuthenticationMechanism {options.AuthenticationMechanism} sends an OAuth 2.0 token: give -AccessToken."
                        : $"-AuthenticationMechanism {options.AuthenticationMechanism} sends a password: give -Credential, not -AccessToken.",
                    AuthenticationMechanism));
            }

            if (options.AuthenticationMechanism != null && Credential == null && AccessToken == null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("AuthenticationMechanismWithoutCredential",
                    "-AuthenticationMechanism needs -Credential or -AccessToken.", AuthenticationMechanism));
            }

            if (Credential != null || AccessToken != null)
            {
                options.Credentials = new SaslCredentials(user!, AccessToken == null ? Credential?.Password : null, AccessToken);
                if (TlsMode == SmtpTlsMode.None && !AllowUnencryptedAuthentication)
                {
                    // RELIABILITY row 28: refused before anything is sent, not after the server asked.
                    ThrowTerminatingError(new ErrorRecord(
                        new SecurityException("-TlsMode None would send the credentials without encryption; use TLS, or give -AllowUnencryptedAuthentication to send them anyway."),
                        "UnencryptedAuthenticationRefused", ErrorCategory.SecurityError, TlsMode));
                }
            }

            return options;
        }

        protected override void ProcessRecord()
        {
            bool literal = ParameterSetName == LiteralPathSet;
            List<MessageFile> files = MessageFiles.Resolve(this, literal ? LiteralPath : Path, literal);
            foreach (MessageFile file in files)
            {
                SendOne(file);
            }
        }

        protected override void EndProcessing()
        {
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

        protected override void StopProcessing()
        {
            // Ctrl+C: the session closes its socket on this token, which ends any read or write at once.
            _stopping.Cancel();
        }

        public void Dispose()
        {
            // Reached after a terminating error or -ErrorAction Stop: the session is between replies,
            // so a polite QUIT is still possible; nothing may be written to the pipeline any more.
            _quiet = true;
            try
            {
                if (!_stopping.IsCancellationRequested)
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
                _stopping.Dispose();
            }
        }

        private void SendOne(MessageFile message)
        {
            string file = message.Path;
            string target = $"{Server}:{Port}";
            if (!ShouldProcess(file, $"Send to {target} from <{From}> to <{string.Join(">, <", To)}>"))
            {
                return;
            }

            var result = new SmtpMessageResult(file, target, From);
            _results.Add(result);
            if (_sessionEndedBecause != null)
            {
                WriteError(ErrorRecords.NotSent(file, _sessionEndedBecause));
                Emit(result);
                return;
            }

            try
            {
                _session ??= SmtpSession.Open(_options!, new Observer(this), _stopping.Token);
                using var content = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.Read, 4096, FileOptions.SequentialScan);
                _session.Send(_envelope, message, content, result);
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
                WriteError(ErrorRecords.SessionFault(e, target, _results));
            }

            Emit(result);
        }

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

        /// <summary>Turns what the session reports into pipeline output, on the pipeline thread.</summary>
        private sealed class Observer : ISmtpDialogueObserver
        {
            private readonly SendRawSmtpMailCommand _cmdlet;

            public Observer(SendRawSmtpMailCommand cmdlet)
            {
                _cmdlet = cmdlet;
            }

            public void OnReply(SmtpReply reply)
            {
                if (!_cmdlet._quiet)
                {
                    _cmdlet.WriteObject(reply);
                }
            }

            public void OnRejected(SmtpReply reply, string explanation)
            {
                if (!_cmdlet._quiet)
                {
                    _cmdlet.WriteError(ErrorRecords.Rejected(reply, explanation));
                }
            }

            public void OnWarning(string message)
            {
                if (!_cmdlet._quiet)
                {
                    _cmdlet.WriteWarning(message);
                }
            }

            public void OnVerbose(string message)
            {
                if (!_cmdlet._quiet)
                {
                    _cmdlet.WriteVerbose(message);
                }
            }
        }
    }
}
