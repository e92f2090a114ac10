using System;
using System.Buffers;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;
using SmtpServer.Mail;
using SmtpServer.Protocol;
using SmtpServer.Storage;

namespace SmtpPs.TestServer
{
    /// <summary>A message as the real ESMTP server (the SmtpServer package) accepted it.</summary>
    public sealed class ReceivedMessage
    {
        public ReceivedMessage(string from, string[] to, byte[] data, string? user, bool secure)
        {
            From = from;
            To = to;
            Data = data;
            User = user;
            Secure = secure;
        }

        /// <summary>The user the session authenticated as, or null.</summary>
        public string? User { get; }

        /// <summary>True when the message came over TLS.</summary>
        public bool Secure { get; }

        public string From { get; }

        public string[] To { get; }

        /// <summary>The content as the server stored it, after it removed the dot-stuffing and the final dot.</summary>
        public byte[] Data { get; }

        /// <summary>
        /// The message as RFC 5321 4.1.1.4 defines it: SmtpServer drops the CRLF that ends the last line
        /// along with the terminating ".CRLF", so it is put back here.
        /// </summary>
        public byte[] Content => Data.Concat("\r\n"u8.ToArray()).ToArray();

        /// <summary><see cref="Content"/> as Latin-1 text: one char per byte, so every CR and LF stays visible.</summary>
        public string Text => System.Text.Encoding.Latin1.GetString(Content);
    }

    /// <summary>How the real test server is set up: TLS (STARTTLS or implicit) and AUTH users.</summary>
    public sealed class RecordingServerOptions
    {
        public string ServerName { get; set; } = "test.smtpps.invalid";

        /// <summary>With a certificate the server offers STARTTLS (or, with <see cref="ImplicitTls"/>, TLS from the first byte).</summary>
        public System.Security.Cryptography.X509Certificates.X509Certificate2? Certificate { get; set; }

        public bool ImplicitTls { get; set; }

        /// <summary>User names and passwords for AUTH PLAIN and LOGIN (offered only over TLS, as real servers do).</summary>
        public System.Collections.IDictionary? Users { get; set; }

        public bool AuthenticationRequired { get; set; }
    }

    /// <summary>
    /// A real ESMTP server (SmtpServer 11.1.0) on a free loopback port, behind a wire tap that records
    /// the exact bytes each client sent, so tests can assert both what the server understood and what
    /// went over the wire (until TLS starts). Addresses whose local part starts with "reject" are refused.
    /// </summary>
    public sealed class RecordingSmtpServer : IDisposable
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private readonly SmtpServer.SmtpServer _server;
        private readonly Task _serverTask;
        private readonly WireTap _tap;

        private RecordingSmtpServer(RecordingServerOptions settings)
        {
            int innerPort = FreePort();
            var options = new SmtpServerOptionsBuilder()
                .ServerName(settings.ServerName)
                .Endpoint(e =>
                {
                    e.Endpoint(new IPEndPoint(IPAddress.Loopback, innerPort));
                    if (settings.Certificate != null)
                    {
                        e.Certificate(settings.Certificate).IsSecure(settings.ImplicitTls);
                    }

                    e.AuthenticationRequired(settings.AuthenticationRequired).AllowUnsecureAuthentication(false);
                })
                .Build();
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(new Store(Messages));
            services.Add(new Filter());
            if (settings.Users != null)
            {
                var users = new Dictionary<string, string>();
                foreach (System.Collections.DictionaryEntry entry in settings.Users)
                {
                    users[(string)entry.Key] = (string)entry.Value!;
                }

                services.Add(new SmtpServer.Authentication.DelegatingUserAuthenticator(
                    (user, password) => users.TryGetValue(user, out string? expected) && expected == password));
            }

            _server = new SmtpServer.SmtpServer(options, services);
            _serverTask = _server.StartAsync(_stop.Token);
            _tap = new WireTap(new IPEndPoint(IPAddress.Loopback, innerPort));
        }

        /// <summary>The port clients connect to (the tap's).</summary>
        public int Port => _tap.Port;

        public ConcurrentQueue<ReceivedMessage> Messages { get; } = new ConcurrentQueue<ReceivedMessage>();

        /// <summary>One entry per client connection: every byte the client sent.</summary>
        public IReadOnlyList<TappedConnection> Connections => _tap.Connections;

        public static RecordingSmtpServer Start() => new RecordingSmtpServer(new RecordingServerOptions());

        public static RecordingSmtpServer Start(RecordingServerOptions options) => new RecordingSmtpServer(options);

        /// <summary>Waits (bounded) until <paramref name="count"/> messages arrived; true when they did.</summary>
        public bool WaitForMessages(int count, int timeoutMs = 5000)
        {
            return SpinWait.SpinUntil(() => Messages.Count >= count, timeoutMs);
        }

        /// <summary>Waits (bounded) until every tapped connection was closed by both sides.</summary>
        public bool WaitForIdle(int timeoutMs = 5000) => _tap.WaitForIdle(timeoutMs);

        public void Dispose()
        {
            _stop.Cancel();
            _tap.Dispose();
            _server.Shutdown();
            try
            {
                _serverTask.Wait(2000);
            }
            catch (AggregateException)
            {
            }
        }

        internal static int FreePort()
        {
            var probe = new TcpListener(IPAddress.Loopback, 0);
            probe.Start();
            int port = ((IPEndPoint)probe.LocalEndpoint).Port;
            probe.Stop();
            return port;
        }

        private static string Address(IMailbox mailbox) =>
            string.IsNullOrEmpty(mailbox.User) && string.IsNullOrEmpty(mailbox.Host) ? string.Empty : $"{mailbox.User}@{mailbox.Host}";

        private sealed class Store : MessageStore
        {
            private readonly ConcurrentQueue<ReceivedMessage> _messages;

            public Store(ConcurrentQueue<ReceivedMessage> messages)
            {
                _messages = messages;
            }

            public override Task<SmtpResponse> SaveAsync(ISessionContext context, IMessageTransaction transaction,
                ReadOnlySequence<byte> buffer, CancellationToken cancellationToken)
            {
                _messages.Enqueue(new ReceivedMessage(Address(transaction.From), transaction.To.Select(Address).ToArray(), buffer.ToArray(),
                    context.Authentication.IsAuthenticated ? context.Authentication.User : null, context.Pipe.IsSecure));
                return Task.FromResult(SmtpResponse.Ok);
            }
        }

        private sealed class Filter : MailboxFilter
        {
            public override Task<bool> CanAcceptFromAsync(ISessionContext context, IMailbox from, int size, CancellationToken cancellationToken)
                => Task.FromResult(!(from.User ?? string.Empty).StartsWith("reject", StringComparison.OrdinalIgnoreCase));

            public override Task<bool> CanDeliverToAsync(ISessionContext context, IMailbox to, IMailbox from, CancellationToken token)
                => Task.FromResult(!(to.User ?? string.Empty).StartsWith("reject", StringComparison.OrdinalIgnoreCase));
        }
    }
}
