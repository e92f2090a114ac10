using System.Collections.Generic;
using SmtpServer;
using SmtpServer.Protocol;

namespace SmtpPs.Testing.Engine
{
    /// <summary>EHLO that advertises what the test server's options offer (SmtpServer's own list is fixed).</summary>
    internal sealed class CaptureEhloCommand : EhloCommand
    {
        private readonly SmtpTestServerOptions _options;

        internal CaptureEhloCommand(string domainOrAddress, SmtpTestServerOptions options)
            : base(domainOrAddress)
        {
            _options = options;
        }

        protected override string GetGreeting(ISessionContext context) => $"{_options.ServerName} greets {DomainOrAddress}";

        protected override IEnumerable<string> GetExtensions(ISessionContext context)
        {
            if (_options.Offers(SmtpTestExtension.Pipelining))
            {
                yield return "PIPELINING";
            }

            if (_options.Offers(SmtpTestExtension.Size))
            {
                // RFC 1870: SIZE without a number declares no fixed limit.
                yield return _options.SizeLimit > 0 ? "SIZE " + _options.SizeLimit : "SIZE";
            }

            if (_options.Offers(SmtpTestExtension.EightBitMime))
            {
                yield return "8BITMIME";
            }

            if (_options.Offers(SmtpTestExtension.SmtpUtf8))
            {
                yield return "SMTPUTF8";
            }

            if (_options.Offers(SmtpTestExtension.Chunking))
            {
                yield return "CHUNKING";
            }

            if (_options.Offers(SmtpTestExtension.Dsn))
            {
                yield return "DSN";
            }

            if (_options.Tls == SmtpTestTlsMode.StartTls && !context.Pipe.IsSecure)
            {
                yield return "STARTTLS";
            }

            // As real submission servers do, AUTH waits for TLS when TLS is on offer.
            if (_options.Offers(SmtpTestExtension.Auth) && (context.Pipe.IsSecure || _options.Tls == SmtpTestTlsMode.None))
            {
                yield return "AUTH PLAIN LOGIN";
            }
        }
    }

    /// <summary>SmtpServer's command factory with the test server's EHLO.</summary>
    internal sealed class CaptureCommandFactory : SmtpCommandFactory
    {
        private readonly SmtpTestServerOptions _options;

        internal CaptureCommandFactory(SmtpTestServerOptions options)
        {
            _options = options;
        }

        public override SmtpCommand CreateEhlo(string domainOrAddress) => new CaptureEhloCommand(domainOrAddress, _options);
    }
}
