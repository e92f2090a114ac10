using System;
using System.Management.Automation;
using System.Security;
using System.Threading;
using SmtpPs.Logging;
using SmtpPs.Protocol.Sasl;
using SmtpPs.Session;
using SmtpPs.Transport;

namespace SmtpPs.Commands
{
    /// <summary>
    /// What every SmtpPs cmdlet that talks to a server shares: the connection, TLS and AUTH parameters,
    /// their checks before any I/O, Ctrl+C, and the protocol log that feeds -Verbose, warnings and the
    /// transcript.
    /// </summary>
    public abstract class SmtpCmdletBase : PSCmdlet, IDisposable
    {
        private readonly CancellationTokenSource _stopping = new CancellationTokenSource();
        private TranscriptWriter? _transcript;
        private bool _quiet;
        private bool _narrates = true;
        private bool _verbose;

        /// <summary>The SMTP server's name or address; Send-RawSmtpMail without it routes by MX.</summary>
        [Parameter]
        [Alias("SmtpServer", "ComputerName")]
        [ValidateNotNullOrEmpty]
        public string Server { get; set; } = string.Empty;

        /// <summary>The DNS server to ask, "address" or "address:port" ("[v6]:port"), instead of the system's.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? DnsServer { get; set; }

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

        /// <summary>Writes the dialogue to this file, timestamped, secrets redacted.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? TranscriptPath { get; set; }

        /// <summary>Ctrl+C: the session closes its socket on this token.</summary>
        internal CancellationToken StopToken => _stopping.Token;

        internal bool IsStopping => _stopping.IsCancellationRequested;

        /// <summary>"host:port", as errors and -WhatIf name the server.</summary>
        internal string Target => Server.Length == 0 ? $"the MX hosts, port {Port}" : $"{Server}:{Port}";

        /// <summary>-DnsServer, parsed when BuildSessionOptions ran; null for the system's resolvers.</summary>
        internal Routing.DnsServerAddress? ParsedDnsServer { get; private set; }

        public void Dispose()
        {
            // Reached after a terminating error or -ErrorAction Stop too: nothing may be written any more.
            _quiet = true;
            try
            {
                OnDispose();
            }
            finally
            {
                _transcript?.Dispose();
                _stopping.Dispose();
            }
        }

        protected override void StopProcessing()
        {
            _stopping.Cancel();
        }

        /// <summary>Closes what the derived cmdlet holds open.</summary>
        protected virtual void OnDispose()
        {
        }

        /// <summary>Checks the connection, TLS and AUTH parameters together; terminating errors before any I/O.</summary>
        internal SessionOptions BuildSessionOptions()
        {
            if (Server.IndexOfAny(new[] { ' ', '\t', '\r', '\n', '\0', '/', '\\' }) >= 0)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidServerName", $"-Server '{Server}' is not a host name or address.", Server));
            }

            if (DnsServer != null)
            {
                ParsedDnsServer = Routing.DnsServerAddress.Parse(DnsServer, out string reason);
                if (ParsedDnsServer == null)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidDnsServer",
                        $"-DnsServer '{DnsServer}': {reason} Give an address, with a port after a colon if it is not 53 (127.0.0.1:5353, [::1]:5353).", DnsServer));
                }
            }

            if (SplitHostPort(Server) is (string host, string port))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidServerName",
                    $"-Server '{Server}' has a port in it: give the name or address alone, and the port with -Port (-Server {host} -Port {port}).", Server));
            }

            string? problem;
            if (HeloName != null && (problem = Session.HeloName.Check(HeloName)) != null)
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument("InvalidHeloName", $"-HeloName: {problem}", HeloName));
            }

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
            if (options.AuthenticationMechanism != null && (Credential != null || AccessToken != null) && tokenMechanism != (AccessToken != null))
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
                string? tooLong = SaslLimits.Check(options.Credentials, TlsServerName ?? Server, Port);
                if (tooLong != null)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidArgument(AccessToken != null ? "AccessTokenTooLong" : "CredentialTooLong",
                        $"{(AccessToken != null ? "-AccessToken" : "-Credential")} cannot be used: {tooLong}", null));
                }
                if (TlsMode == SmtpTlsMode.None && !AllowUnencryptedAuthentication)
                {
                    // hazards: H-PLAIN-AUTH: refused before anything is sent, not after the server asked.
                    ThrowTerminatingError(new ErrorRecord(
                        new SecurityException("-TlsMode None would send the credentials without encryption; use TLS, or give -AllowUnencryptedAuthentication to send them anyway."),
                        "UnencryptedAuthenticationRefused", ErrorCategory.SecurityError, TlsMode));
                }
            }

            _verbose = WantsVerbose();
            _narrates = _verbose || TranscriptPath != null;
            if (TranscriptPath != null && _transcript == null)
            {
                string path = SessionState.Path.GetUnresolvedProviderPathFromPSPath(TranscriptPath);
                string? unwritable = TranscriptWriter.CheckWritable(path);
                if (unwritable != null)
                {
                    ThrowTerminatingError(ErrorRecords.InvalidArgument("TranscriptNotWritable", $"-TranscriptPath '{TranscriptPath}' cannot be written: {unwritable}", TranscriptPath));
                }

                _transcript = new TranscriptWriter(path);
            }

            return options;
        }

        /// <summary>"host:port" or "[v6]:port" split in two; null for anything else (a bare IPv6 address has several colons).</summary>
        private static (string Host, string Port)? SplitHostPort(string server)
        {
            int colon = server.LastIndexOf(':');
            if (colon <= 0 || colon == server.Length - 1 || !ushort.TryParse(server.Substring(colon + 1), out _))
            {
                return null;
            }

            string host = server.Substring(0, colon);
            bool bracketed = host.StartsWith("[", StringComparison.Ordinal) && host.EndsWith("]", StringComparison.Ordinal);
            return bracketed || host.IndexOf(':') < 0 ? (host, server.Substring(colon + 1)) : ((string, string)?)null;
        }

        /// <summary>-Verbose given, or $VerbosePreference asking for it.</summary>
        private bool WantsVerbose()
        {
            if (MyInvocation.BoundParameters.TryGetValue("Verbose", out object? verbose))
            {
                return ((SwitchParameter)verbose).IsPresent;
            }

            object? preference = GetVariableValue("VerbosePreference");
            return preference is ActionPreference action ? action != ActionPreference.SilentlyContinue && action != ActionPreference.Ignore : true;
        }

        /// <summary>
        /// The protocol log of this call: dialogue and events go to -Verbose and the transcript, warnings
        /// to the warning stream, errors to the transcript (their error records come with outcomes).
        /// </summary>
        internal ProtocolLog CreateLog() => new ProtocolLog(OnLog, _narrates);

        private void OnLog(SmtpLogEntry entry)
        {
            _transcript?.Write(entry);
            if (_quiet)
            {
                return;
            }

            switch (entry.Kind)
            {
                case SmtpLogKind.Warning:
                    WriteWarning(entry.Text);
                    break;
                case SmtpLogKind.Error:
                    break;
                default:
                    if (_verbose)
                    {
                        WriteVerbose(entry.ToString());
                    }

                    break;
            }
        }

        /// <summary>False once the cmdlet is being disposed: after a terminating error nothing may be written.</summary>
        internal bool CanWrite => !_quiet;
    }
}
