using System;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;
using SmtpServer.Authentication;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// The test server's engine: SmtpServer 11.1.0 runs the dialogue (EHLO, MAIL and RCPT syntax and
    /// order, AUTH PLAIN and LOGIN, STARTTLS, RSET, QUIT); a <see cref="SessionFront"/> per connection
    /// owns the bytes (TLS, content, BDAT, ESMTP parameters, faults, the records). Loaded by name from
    /// SmtpPs.Testing.
    /// </summary>
    public sealed class CaptureEngine : ISmtpTestEngine
    {
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private FrontListener? _listener;
        private SmtpServer.SmtpServer? _smtp;
        private Task? _running;

        public X509Certificate2 CreateCertificate(IPAddress address) => LocalhostCertificate.Create(address);

        public IPEndPoint Start(SmtpTestServer server)
        {
            SmtpTestServerOptions options = server.Options;
            var socket = new TcpListener(options.Address, options.Port);
            socket.Start();
            var bound = (IPEndPoint)socket.LocalEndpoint;
            _listener = new FrontListener(socket, server, _stop.Token);

            var built = new SmtpServerOptionsBuilder()
                .ServerName(options.ServerName)
                .CustomSmtpGreeting(_ => $"220 {options.ServerName} ESMTP SmtpPs test server ready")
                .MaxRetryCount(20)
                .CommandWaitTimeout(TimeSpan.FromHours(1))
                .Endpoint(e =>
                {
                    e.Endpoint(bound);
                    // STARTTLS must be known to SmtpServer's state machine; implicit TLS is the front's alone.
                    if (options.Tls == SmtpTestTlsMode.StartTls)
                    {
                        e.Certificate(server.Certificate!);
                    }

                    e.AllowUnsecureAuthentication(options.Tls == SmtpTestTlsMode.None);
                    e.AuthenticationRequired(options.Credential != null);
                    e.SessionTimeout(TimeSpan.FromHours(1));
                })
                .Build();
            var services = new SmtpServer.ComponentModel.ServiceProvider();
            services.Add(_listener);
            services.Add(new CaptureCommandFactory(options));
            services.Add(new DelegatingUserAuthenticator((user, password) => server.CheckCredential(user, password)));
            _smtp = new SmtpServer.SmtpServer(built, services);
            _running = _smtp.StartAsync(_stop.Token);
            return bound;
        }

        public void Dispose()
        {
            _stop.Cancel();
            _smtp?.Shutdown();
            _listener?.Dispose();
            _listener?.CloseAll();
            try
            {
                _running?.Wait(TimeSpan.FromSeconds(5));
            }
            catch (AggregateException)
            {
                // A session that ended with an error has nothing more to say once the server stops.
            }
        }
    }
}
