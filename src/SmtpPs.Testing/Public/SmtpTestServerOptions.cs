using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs
{
    /// <summary>How a test server is set up; fixed once it starts.</summary>
    public sealed class SmtpTestServerOptions
    {
        /// <summary>The address to listen on. Default: 127.0.0.1, so nothing outside this machine can connect.</summary>
        public IPAddress Address { get; set; } = IPAddress.Loopback;

        /// <summary>The TCP port; 0 (the default) takes a free one.</summary>
        public int Port { get; set; }

        /// <summary>The name in the greeting and the EHLO reply.</summary>
        public string ServerName { get; set; } = "smtpps.test";

        public SmtpTestTlsMode Tls { get; set; } = SmtpTestTlsMode.None;

        /// <summary>The TLS certificate, with its private key; null makes one for localhost and 127.0.0.1 at start.</summary>
        public X509Certificate2? Certificate { get; set; }

        /// <summary>Extensions not to advertise (their commands and parameters are then refused).</summary>
        public IList<SmtpTestExtension> DisabledExtensions { get; set; } = new List<SmtpTestExtension>();

        /// <summary>The largest message accepted, in octets (SIZE, RFC 1870); 0 for no limit.</summary>
        public long SizeLimit { get; set; }

        /// <summary>With a credential, AUTH accepts only it and MAIL needs AUTH first; without, AUTH accepts anything.</summary>
        public NetworkCredential? Credential { get; set; }

        /// <summary>True unless <paramref name="extension"/> was disabled.</summary>
        public bool Offers(SmtpTestExtension extension) => !DisabledExtensions.Contains(extension);

        internal SmtpTestServerOptions Copy() => new SmtpTestServerOptions
        {
            Address = Address,
            Port = Port,
            ServerName = ServerName,
            Tls = Tls,
            Certificate = Certificate,
            DisabledExtensions = DisabledExtensions.Distinct().ToList().AsReadOnly(),
            SizeLimit = SizeLimit,
            Credential = Credential,
        };
    }
}
