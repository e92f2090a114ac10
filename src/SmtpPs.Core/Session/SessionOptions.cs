using SmtpPs.Protocol.Sasl;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>Everything a session needs to know before it connects, checked before any I/O.</summary>
    internal sealed class SessionOptions
    {
        public SessionOptions(string server, int port)
        {
            Server = server;
            Port = port;
        }

        public string Server { get; private set; }

        public int Port { get; }

        /// <summary>Where to connect when the addresses were found already (an MX host); null to resolve <see cref="Server"/>.</summary>
        public System.Collections.Generic.IReadOnlyList<System.Net.IPAddress>? Addresses { get; set; }

        /// <summary>The same options for another server (an MX host, or a relay resolved elsewhere), the certificate checked against its name.</summary>
        public SessionOptions For(string server, System.Collections.Generic.IReadOnlyList<System.Net.IPAddress>? addresses, string? tlsServerName)
        {
            var copy = (SessionOptions)MemberwiseClone();
            copy.Server = server;
            copy.Addresses = addresses;
            copy.TlsServerName = tlsServerName;
            return copy;
        }

        public string? HeloName { get; set; }

        public SmtpTimeouts Timeouts { get; set; } = new SmtpTimeouts();

        public SmtpTlsMode TlsMode { get; set; } = SmtpTlsMode.Auto;

        /// <summary>The name the certificate must carry; -Server when not given.</summary>
        public string? TlsServerName { get; set; }

        public bool SkipCertificateCheck { get; set; }

        public string? CertificateThumbprint { get; set; }

        public SaslCredentials? Credentials { get; set; }

        /// <summary>A SASL mechanism the user forced, upper case; null to choose the strongest offered.</summary>
        public string? AuthenticationMechanism { get; set; }

        public bool AllowUnencryptedAuthentication { get; set; }

        /// <summary>DSN (RFC 3461): NOTIFY for each recipient; None sends no NOTIFY.</summary>
        public SmtpDeliveryNotification Notify { get; set; }

        /// <summary>DSN RET=; null sends none.</summary>
        public SmtpReturnContent? ReturnContent { get; set; }

        /// <summary>DSN ENVID=, xtext-encoded on the wire; null sends none.</summary>
        public string? EnvelopeId { get; set; }

        public bool WantsDsn => Notify != SmtpDeliveryNotification.None || ReturnContent != null || EnvelopeId != null;

        /// <summary>Send a message only when the server accepts every one of its recipients.</summary>
        public bool RequireAllRecipients { get; set; }

        /// <summary>Where to stop on purpose (-QuitAfter); None runs the whole dialogue.</summary>
        public SmtpQuitAfter QuitAfter { get; set; } = SmtpQuitAfter.None;

        /// <summary>True when the dialogue goes past <paramref name="step"/>.</summary>
        public bool GoesPast(SmtpQuitAfter step) => QuitAfter == SmtpQuitAfter.None || QuitAfter > step;

        /// <summary>Auto on port 465 means implicit TLS (RFC 8314).</summary>
        public bool UsesImplicitTls => TlsMode == SmtpTlsMode.Implicit || (TlsMode == SmtpTlsMode.Auto && Port == 465);

        public bool WantsStartTls => !UsesImplicitTls && TlsMode != SmtpTlsMode.None;

        /// <summary>
        /// STARTTLS is required when asked for, and whenever credentials would otherwise cross a plaintext
        /// link (RFC 4954 4; hazards: H-PLAIN-AUTH), unless the user opted in by name.
        /// </summary>
        public bool RequiresStartTls => WantsStartTls &&
            (TlsMode == SmtpTlsMode.StartTls || (Credentials != null && !AllowUnencryptedAuthentication));

        public CertificatePolicy CertificatePolicy() =>
            new CertificatePolicy(TlsServerName ?? Server, SkipCertificateCheck, CertificateThumbprint);
    }
}
