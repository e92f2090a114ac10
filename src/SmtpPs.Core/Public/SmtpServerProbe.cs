using System;
using System.Collections.Generic;
using System.Linq;
using SmtpPs.Protocol;

namespace SmtpPs
{
    /// <summary>How AUTH went in a probe.</summary>
    public enum SmtpAuthenticationOutcome
    {
        /// <summary>No credentials were given.</summary>
        NotRequested,

        /// <summary>Credentials were given, but the probe stopped before AUTH (TLS, the certificate, the server refusing the session).</summary>
        NotTried,

        /// <summary>The server accepted the credentials (235).</summary>
        Succeeded,

        /// <summary>The server refused the credentials.</summary>
        Refused,
    }

    /// <summary>What Test-SmtpServer learnt of a server: one object for a monitoring script.</summary>
    public sealed class SmtpServerProbe
    {
        internal SmtpServerProbe(string server, int port, IReadOnlyList<SmtpReply> replies, SmtpTlsInfo? refusedCertificate, string? error,
            bool credentialsGiven)
        {
            Server = server;
            Port = port;
            Replies = replies.ToArray();
            Error = error ?? string.Empty;
            SmtpReply? greeting = replies.FirstOrDefault(r => r.Stage == SmtpStage.Greeting);
            Greeting = greeting?.Text ?? string.Empty;
            GreetingCode = greeting?.Code ?? 0;

            var ehlos = replies.Where(r => r.Stage == SmtpStage.Ehlo && r.Code == 250).ToList();
            SmtpReply? plainEhlo = ehlos.FirstOrDefault(r => !r.TlsActive);
            SmtpReply? tlsEhlo = ehlos.LastOrDefault(r => r.TlsActive);
            CapabilitiesBeforeTls = plainEhlo == null ? Array.Empty<string>() : plainEhlo.Lines.Skip(1).ToArray();
            CapabilitiesAfterTls = tlsEhlo == null ? Array.Empty<string>() : tlsEhlo.Lines.Skip(1).ToArray();
            Dictionary<string, string> effective = EhloCapabilities.Parse((tlsEhlo ?? plainEhlo)?.Lines ?? Array.Empty<string>());
            StartTlsOffered = plainEhlo != null && EhloCapabilities.Parse(plainEhlo.Lines).ContainsKey("STARTTLS");
            SizeLimit = effective.TryGetValue("SIZE", out string? size) && long.TryParse(size, out long limit) ? limit : (long?)null;
            AuthMechanisms = effective.TryGetValue("AUTH", out string? mechanisms)
                ? mechanisms.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                : Array.Empty<string>();

            SmtpTlsInfo? tls = replies.LastOrDefault(r => r.Tls != null)?.Tls ?? refusedCertificate;
            TlsActive = replies.Any(r => r.TlsActive);
            TlsProtocol = tls?.Protocol ?? string.Empty;
            CipherSuite = tls?.CipherSuite ?? string.Empty;
            CertificateSubject = tls?.CertificateSubject ?? string.Empty;
            CertificateIssuer = tls?.CertificateIssuer ?? string.Empty;
            CertificateNotAfter = tls?.CertificateNotAfter;
            CertificateDaysLeft = tls == null ? (int?)null : (int)Math.Floor((tls.CertificateNotAfter.ToUniversalTime() - DateTime.UtcNow).TotalDays);
            CertificateThumbprintSha256 = tls?.CertificateThumbprintSha256 ?? string.Empty;
            CertificateValidation = tls?.Validation ?? string.Empty;

            SmtpReply? lastAuth = replies.LastOrDefault(r => r.Stage == SmtpStage.Auth && r.Code != 334);
            AuthenticationOutcome = !credentialsGiven ? SmtpAuthenticationOutcome.NotRequested
                : lastAuth == null ? SmtpAuthenticationOutcome.NotTried
                : lastAuth.Code == 235 ? SmtpAuthenticationOutcome.Succeeded
                : SmtpAuthenticationOutcome.Refused;
            Authenticated = AuthenticationOutcome switch
            {
                SmtpAuthenticationOutcome.Succeeded => true,
                SmtpAuthenticationOutcome.Refused => false,
                _ => (bool?)null,
            };
        }

        public string Server { get; }

        public int Port { get; }

        /// <summary>With Test-SmtpServer -Domain: the domain whose MX host this is; empty otherwise.</summary>
        public string Domain { get; internal set; } = string.Empty;

        /// <summary>With -Domain: the host's MX preference (lower first); null otherwise.</summary>
        public int? Preference { get; internal set; }

        /// <summary>The addresses of the host that were tried, in order (with -Domain: as the DNS gave them).</summary>
        public string[] Addresses { get; internal set; } = Array.Empty<string>();

        /// <summary>The address that answered, or empty when none did.</summary>
        public string AnsweredBy { get; internal set; } = string.Empty;

        /// <summary>The greeting's text and code.</summary>
        public string Greeting { get; }

        public int GreetingCode { get; }

        /// <summary>EHLO extension lines before STARTTLS (or without TLS).</summary>
        public string[] CapabilitiesBeforeTls { get; }

        /// <summary>EHLO extension lines over TLS (STARTTLS or implicit); empty without TLS.</summary>
        public string[] CapabilitiesAfterTls { get; }

        public bool StartTlsOffered { get; }

        /// <summary>The SIZE limit advertised (RFC 1870), in octets; null when none.</summary>
        public long? SizeLimit { get; }

        public string[] AuthMechanisms { get; }

        public bool TlsActive { get; }

        public string TlsProtocol { get; }

        public string CipherSuite { get; }

        public string CertificateSubject { get; }

        public string CertificateIssuer { get; }

        public DateTime? CertificateNotAfter { get; }

        /// <summary>Whole days until the certificate expires (negative once it has): what an expiry alert reads.</summary>
        public int? CertificateDaysLeft { get; }

        public string CertificateThumbprintSha256 { get; }

        /// <summary>Trusted, Pinned, Skipped (...) or Refused: (why).</summary>
        public string CertificateValidation { get; }

        /// <summary>True when the server accepted the credentials, false when it refused them; null when they were not tried (or not given).</summary>
        public bool? Authenticated { get; }

        /// <summary>Whether AUTH ran and how it ended: NotRequested (no credentials), NotTried (the probe stopped before AUTH, see Error), Succeeded, Refused.</summary>
        public SmtpAuthenticationOutcome AuthenticationOutcome { get; }

        /// <summary>Why the probe stopped early, or empty.</summary>
        public string Error { get; }

        public SmtpReply[] Replies { get; }

        public bool Succeeded => Error.Length == 0;
    }
}
