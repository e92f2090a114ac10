using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// The tests' real ESMTP server: the module's own capture server (<see cref="SmtpTestServer"/>, what
    /// Start-SmtpTestServer starts) behind a wire tap. The server records a message after it undid the
    /// wire form (dot-stuffing, BDAT framing); the tap keeps the exact bytes the client sent, which is
    /// what most of the sender's tests assert.
    /// </summary>
    /// <remarks>
    /// It offers what the tests' server has always offered, so that their dialogues stay as they were
    /// written: PIPELINING, 8BITMIME and SMTPUTF8; STARTTLS (or TLS from the first byte) with a
    /// certificate; AUTH PLAIN and LOGIN only with a credential. CHUNKING, SIZE and DSN are off: with
    /// them the sender would switch to BDAT and add MAIL parameters. A sender or recipient whose local
    /// part starts with "reject" is refused with 550, by two scripted faults of the server.
    /// </remarks>
    public sealed class TappedCaptureServer : IDisposable
    {
        /// <summary>The name in the greeting and the EHLO reply; tests look for it.</summary>
        public const string ServerName = "test.smtpps.invalid";

        /// <summary>The wildcard (the capture server's fault patterns) of the addresses that are refused.</summary>
        public const string RefusedPattern = "reject*";

        private readonly WireTap _tap;

        private TappedCaptureServer(SmtpTestServer server)
        {
            CaptureServer = server;
            _tap = new WireTap(new IPEndPoint(server.Address, server.Port));
        }

        /// <summary>The capture server itself: its transactions, connections and faults.</summary>
        public SmtpTestServer CaptureServer { get; }

        /// <summary>The port clients connect to (the tap's).</summary>
        public int Port => _tap.Port;

        /// <summary>The accepted messages, in arrival order.</summary>
        public IReadOnlyList<ReceivedMessage> Messages => CaptureServer.Messages.Select(m => new ReceivedMessage(m)).ToArray();

        /// <summary>One entry per client connection: every byte the client sent, and the server's replies.</summary>
        public IReadOnlyList<TappedConnection> Connections => _tap.Connections;

        /// <summary>Plain SMTP, no AUTH.</summary>
        public static TappedCaptureServer Start() => Start(null, false, null);

        /// <param name="certificate">With one, STARTTLS is offered, or with <paramref name="implicitTls"/> TLS from the first byte.</param>
        /// <param name="implicitTls">TLS from the first byte, as on port 465 (RFC 8314).</param>
        /// <param name="credential">With one, AUTH PLAIN and LOGIN are offered (after TLS, when TLS is on) and MAIL needs this credential first.</param>
        public static TappedCaptureServer Start(X509Certificate2? certificate, bool implicitTls, NetworkCredential? credential)
        {
            if (implicitTls && certificate == null)
            {
                throw new ArgumentException("Implicit TLS needs a certificate.", nameof(implicitTls));
            }

            var options = new SmtpTestServerOptions
            {
                ServerName = ServerName,
                Tls = certificate == null ? SmtpTestTlsMode.None : implicitTls ? SmtpTestTlsMode.Implicit : SmtpTestTlsMode.StartTls,
                Certificate = certificate,
                Credential = credential,
                DisabledExtensions = { SmtpTestExtension.Chunking, SmtpTestExtension.Size, SmtpTestExtension.Dsn },
            };
            if (credential == null)
            {
                options.DisabledExtensions.Add(SmtpTestExtension.Auth);
            }

            SmtpTestServer server = SmtpTestServer.Start(options);
            try
            {
                server.AddFault(new SmtpTestFault(SmtpStage.MailFrom, SmtpTestFaultAction.Reply, 550, new[] { "mailbox unavailable" }, sender: RefusedPattern));
                server.AddFault(new SmtpTestFault(SmtpStage.RcptTo, SmtpTestFaultAction.Reply, 550, new[] { "mailbox unavailable" }, recipient: RefusedPattern));
                return new TappedCaptureServer(server);
            }
            catch
            {
                server.Stop();
                throw;
            }
        }

        /// <summary>Waits (bounded) until <paramref name="count"/> messages arrived; true when they did.</summary>
        public bool WaitForMessages(int count, int timeoutMs = 5000)
        {
            CaptureServer.WaitForMessages(null, count, TimeSpan.FromMilliseconds(timeoutMs), CancellationToken.None, out bool enough);
            return enough;
        }

        /// <summary>Waits (bounded) until every tapped connection was closed by both sides.</summary>
        public bool WaitForIdle(int timeoutMs = 5000) => _tap.WaitForIdle(timeoutMs);

        public void Dispose()
        {
            _tap.Dispose();
            CaptureServer.Stop();
        }
    }
}
