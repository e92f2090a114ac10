using System;

namespace SmtpPs
{
    /// <summary>The TLS session a reply arrived over: what -Verbose shows and monitoring scripts read.</summary>
    public sealed class SmtpTlsInfo
    {
        public SmtpTlsInfo(string protocol, string cipherSuite, string certificateSubject, string certificateIssuer,
            DateTime certificateNotAfter, string certificateThumbprintSha256, string validation)
        {
            Protocol = protocol;
            CipherSuite = cipherSuite;
            CertificateSubject = certificateSubject;
            CertificateIssuer = certificateIssuer;
            CertificateNotAfter = certificateNotAfter;
            CertificateThumbprintSha256 = certificateThumbprintSha256;
            Validation = validation;
        }

        /// <summary>Tls12 or Tls13.</summary>
        public string Protocol { get; }

        public string CipherSuite { get; }

        public string CertificateSubject { get; }

        public string CertificateIssuer { get; }

        public DateTime CertificateNotAfter { get; }

        /// <summary>SHA-256 of the server certificate, upper-case hex: what -CertificateThumbprint pins.</summary>
        public string CertificateThumbprintSha256 { get; }

        /// <summary>How the certificate was accepted: "Trusted", "Pinned" or "Skipped (...)".</summary>
        public string Validation { get; }

        public override string ToString() =>
            $"{Protocol} {CipherSuite}; certificate {CertificateSubject} issued by {CertificateIssuer}, valid until {CertificateNotAfter:yyyy-MM-dd}; {Validation}";
    }
}
