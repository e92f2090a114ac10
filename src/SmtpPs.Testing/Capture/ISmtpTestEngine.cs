using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs.Testing
{
    /// <summary>
    /// The SMTP engine behind a test server. Implemented in SmtpPs.Testing.Engine (netstandard2.1, on the
    /// SmtpServer package), which is loaded by name only where it can run; this assembly never
    /// references it.
    /// </summary>
    internal interface ISmtpTestEngine : IDisposable
    {
        /// <summary>Makes a self-signed certificate for localhost, 127.0.0.1 and <paramref name="address"/>.</summary>
        X509Certificate2 CreateCertificate(IPAddress address);

        /// <summary>Binds and starts serving <paramref name="server"/>; returns the bound endpoint.</summary>
        IPEndPoint Start(SmtpTestServer server);
    }
}
