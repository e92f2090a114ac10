using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using SmtpPs.Protocol;

namespace SmtpPs.Transport
{
    /// <summary>
    /// One TCP connection to the server. Synchronous on purpose (one code path): every call is bounded
    /// by a deadline through the socket's own timeouts, and <see cref="Abort"/> from another thread
    /// (Ctrl+C) closes the socket, which ends any call in progress at once.
    /// </summary>
    internal sealed class SmtpTransport : IReplySource, IDisposable
    {
        private readonly Socket _socket;
        private Stream _stream;
        private int _aborted;

        private SmtpTransport(Socket socket, IPEndPoint remote)
        {
            _socket = socket;
            _stream = new NetworkStream(socket, ownsSocket: true);
            RemoteEndPoint = remote;
        }

        public IPEndPoint RemoteEndPoint { get; }

        public IPEndPoint? LocalEndPoint => _socket.LocalEndPoint as IPEndPoint;

        public bool IsAborted => Volatile.Read(ref _aborted) != 0;

        /// <summary>
        /// True when the server has sent bytes nobody has read yet. Only meaningful before TLS: under TLS
        /// the socket also carries records that are not data (TLS 1.3 session tickets, say).
        /// </summary>
        public bool HasPendingInput
        {
            get
            {
                try
                {
                    return !IsEncrypted && _socket.Available > 0;
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// Resolves <paramref name="host"/> (A and AAAA) and tries each address in turn, each attempt
        /// bounded by <paramref name="connectTimeout"/> (hazards: H-CONNECT).
        /// </summary>
        public static SmtpTransport Connect(string host, int port, TimeSpan connectTimeout, Action<string> verbose,
            CancellationToken cancellation) =>
            Connect(host, Resolve(host, connectTimeout, verbose, cancellation), port, connectTimeout, verbose, cancellation);

        /// <summary>
        /// Tries each of <paramref name="addresses"/> in turn, found elsewhere (an MX lookup, say), each
        /// attempt bounded by <paramref name="connectTimeout"/>; <paramref name="host"/> only names them in messages.
        /// </summary>
        public static SmtpTransport Connect(string host, IReadOnlyList<IPAddress> addresses, int port, TimeSpan connectTimeout,
            Action<string> verbose, CancellationToken cancellation)
        {
            if (addresses.Count == 0)
            {
                throw new ArgumentException($"No address to connect to for {host}.", nameof(addresses));
            }

            var failures = new List<string>();
            for (int i = 0; i < addresses.Count; i++)
            {
                var endPoint = new IPEndPoint(addresses[i], port);
                verbose($"Connecting to {Format(endPoint)} ({i + 1} of {addresses.Count}).");
                var socket = new Socket(endPoint.AddressFamily, SocketType.Stream, ProtocolType.Tcp)
                {
                    // Whole commands go out in one write; never wait for a delayed ACK (Nagle).
                    NoDelay = true,
                };
                try
                {
                    Task connecting = socket.ConnectAsync(endPoint);
                    if (connecting.Wait(Milliseconds(connectTimeout), cancellation))
                    {
                        verbose($"Connected to {Format(endPoint)}.");
                        return new SmtpTransport(socket, endPoint);
                    }

                    failures.Add($"{Format(endPoint)}: no answer within {connectTimeout.TotalSeconds:0.###} s");
                    verbose($"{Format(endPoint)} did not answer within {connectTimeout.TotalSeconds:0.###} s.");
                    socket.Dispose();
                    Observe(connecting);
                }
                catch (AggregateException e)
                {
                    socket.Dispose();
                    string reason = (e.InnerException ?? e).Message;
                    failures.Add($"{Format(endPoint)}: {reason}");
                    verbose($"{Format(endPoint)} refused: {reason}");
                }
                catch (OperationCanceledException)
                {
                    socket.Dispose();
                    throw;
                }
            }

            bool allTimedOut = failures.TrueForAll(f => f.EndsWith(" s", StringComparison.Ordinal));
            string message = $"Could not connect to {host} port {port}: {string.Join("; ", failures)}.";
            if (allTimedOut)
            {
                throw new SmtpTimeoutException(SmtpStage.Connect, connectTimeout);
            }

            throw new SmtpConnectionException(message, SmtpStage.Connect);
        }

        private static IReadOnlyList<IPAddress> Resolve(string host, TimeSpan timeout, Action<string> verbose,
            CancellationToken cancellation)
        {
            string literal = host.StartsWith("[", StringComparison.Ordinal) && host.EndsWith("]", StringComparison.Ordinal)
                ? host.Substring(1, host.Length - 2)
                : host;
            if (IPAddress.TryParse(literal, out IPAddress? address))
            {
                return new[] { address };
            }

            Task<IPAddress[]> lookup;
            try
            {
                lookup = Dns.GetHostAddressesAsync(host);
                if (!lookup.Wait(Milliseconds(timeout), cancellation))
                {
                    Observe(lookup);
                    throw new SmtpTimeoutException(SmtpStage.Connect, timeout);
                }
            }
            catch (Exception e) when (e is AggregateException || e is ArgumentException || e is SocketException)
            {
                Exception cause = (e as AggregateException)?.InnerException ?? e;
                throw new SmtpConnectionException(
                    $"The server name '{host}' could not be resolved: {cause.Message}",
                    SmtpStage.Connect, cause, nameNotResolved: true);
            }

            var usable = new List<IPAddress>();
            foreach (IPAddress candidate in lookup.Result)
            {
                if (candidate.AddressFamily == AddressFamily.InterNetwork ||
                    candidate.AddressFamily == AddressFamily.InterNetworkV6)
                {
                    usable.Add(candidate);
                }
            }

            if (usable.Count == 0)
            {
                throw new SmtpConnectionException($"The server name '{host}' has no A or AAAA record.", SmtpStage.Connect,
                    nameNotResolved: true);
            }

            verbose($"{host} resolved to {string.Join(", ", usable)}.");
            return usable;
        }

        /// <summary>True once <see cref="StartTls"/> succeeded.</summary>
        public bool IsEncrypted => _stream is SslStream;

        /// <summary>
        /// Wraps the connection in TLS (RFC 3207 after STARTTLS's 220, RFC 8314 from the first byte).
        /// The certificate is judged by <paramref name="policy"/> alone; TLS 1.2 or newer is required.
        /// A failure leaves the connection unusable: the caller never falls back to plaintext.
        /// </summary>
        public SmtpTlsInfo StartTls(CertificatePolicy policy, Deadline deadline)
        {
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false, policy.Validate);
            try
            {
                int timeout = deadline.RemainingMillisecondsOrThrow();
                _socket.ReceiveTimeout = timeout;
                _socket.SendTimeout = timeout;

                // SslProtocols.None lets the system choose its default protocols; older ones are refused below.
                ssl.AuthenticateAsClient(policy.ServerName, null, SslProtocols.None, checkCertificateRevocation: false);
            }
            catch (AuthenticationException e) when (policy.Refusal != null)
            {
                X509Certificate2 presented = policy.Presented!;
                throw new SmtpTlsException(SmtpTlsFailure.CertificateRejected,
                    $"The certificate of {policy.ServerName} was refused: {policy.Refusal}.", e)
                {
                    CertificateProblems = policy.Problems,
                    Presented = new SmtpTlsInfo(string.Empty, string.Empty, presented.Subject, presented.Issuer, presented.NotAfter,
                        CertificatePolicy.Sha256Hex(presented), "Refused: " + policy.Refusal),
                };
            }
            catch (AuthenticationException e)
            {
                throw new SmtpTlsException(SmtpTlsFailure.HandshakeFailed,
                    $"The TLS handshake with {this} failed: {e.Message}", e);
            }
            catch (Exception e) when (IsSocketFailure(e))
            {
                Exception translated = Translate(e, deadline);
                throw translated is SmtpConnectionException
                    ? new SmtpTlsException(SmtpTlsFailure.HandshakeFailed, $"The TLS handshake with {this} failed: {Cause(e)}", e)
                    : translated;
            }

            // RFC 8996 retired TLS 1.0 and 1.1; RFC 8314 asks for 1.2 or newer.
            if ((int)ssl.SslProtocol < (int)SslProtocols.Tls12)
            {
                throw new SmtpTlsException(SmtpTlsFailure.ProtocolTooOld,
                    $"The server negotiated {ssl.SslProtocol}; SmtpPs requires TLS 1.2 or newer.");
            }

            _stream = ssl;
            X509Certificate certificate = ssl.RemoteCertificate!;
            using var certificate2 = new X509Certificate2(certificate);
            return new SmtpTlsInfo(
                ProtocolName(ssl.SslProtocol),
                CipherSuite(ssl),
                certificate2.Subject,
                certificate2.Issuer,
                certificate2.NotAfter,
                CertificatePolicy.Sha256Hex(certificate2),
                policy.Acceptance);
        }

        private static string ProtocolName(SslProtocols protocol) => (int)protocol == 12288 ? "Tls13" : protocol.ToString();

        /// <summary>The IANA name where the runtime knows it (NegotiatedCipherSuite, .NET Core 3+), else the algorithms.</summary>
        private static string CipherSuite(SslStream ssl)
        {
            object? suite = typeof(SslStream).GetProperty("NegotiatedCipherSuite")?.GetValue(ssl);
            return suite?.ToString() ?? $"{ssl.CipherAlgorithm}-{ssl.CipherStrength} {ssl.HashAlgorithm} {ssl.KeyExchangeAlgorithm}";
        }

        public int Read(byte[] buffer, int offset, int count, Deadline deadline)
        {
            try
            {
                _socket.ReceiveTimeout = deadline.RemainingMillisecondsOrThrow();
                return _stream.Read(buffer, offset, count);
            }
            catch (Exception e) when (IsSocketFailure(e))
            {
                throw Translate(e, deadline);
            }
        }

        public void Write(byte[] buffer, int offset, int count, Deadline deadline)
        {
            try
            {
                // The send timeout catches a server that stops reading (hazards: H-STALL).
                _socket.SendTimeout = deadline.RemainingMillisecondsOrThrow();
                _stream.Write(buffer, offset, count);
            }
            catch (Exception e) when (IsSocketFailure(e))
            {
                throw Translate(e, deadline);
            }
        }

        /// <summary>Closes the connection from any thread; a blocked read or write ends at once.</summary>
        public void Abort()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 0)
            {
                try
                {
                    _socket.Close(0);
                }
                catch (ObjectDisposedException)
                {
                }
            }
        }

        /// <summary>A graceful close (FIN), as after QUIT; <see cref="Abort"/> is the hard one (RST).</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _aborted, 1) == 0)
            {
                try
                {
                    _socket.Shutdown(SocketShutdown.Send);
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                {
                }
            }

            try
            {
                _stream.Dispose();
            }
            catch (Exception e) when (IsSocketFailure(e))
            {
            }

            _socket.Dispose();
        }

        public override string ToString() => Format(RemoteEndPoint);

        private static string Format(IPEndPoint endPoint) => endPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{endPoint.Address}]:{endPoint.Port}"
            : $"{endPoint.Address}:{endPoint.Port}";

        private static bool IsSocketFailure(Exception e) =>
            e is IOException || e is SocketException || e is ObjectDisposedException;

        private Exception Translate(Exception e, Deadline deadline)
        {
            if (IsAborted)
            {
                return new OperationCanceledException("The connection was closed because the command was stopped.", e);
            }

            SocketException? socketError = e as SocketException ?? e.InnerException as SocketException;
            if (socketError != null && socketError.SocketErrorCode == SocketError.TimedOut)
            {
                return deadline.Expired();
            }

            return new SmtpConnectionException($"The connection to {this} was lost: {Cause(e)}", deadline.Stage, e);
        }

        /// <summary>
        /// The real cause in words: the innermost exception's message ("Connection reset by peer"), not a
        /// wrapper's ("The read operation failed, see inner exception."). A TLS stream that fails without an
        /// inner exception has no more to say than that the connection broke.
        /// </summary>
        private static string Cause(Exception e)
        {
            Exception root = e;
            while (root.InnerException != null)
            {
                root = root.InnerException;
            }

            if (root is SocketException socket)
            {
                return $"{socket.Message.TrimEnd('.')} ({socket.SocketErrorCode})";
            }

            return root == e && e is IOException && IsEncryptedStream(e)
                ? "the encrypted connection broke (the server, or something between, closed it)"
                : root.Message;
        }

        private static bool IsEncryptedStream(Exception e) => e.StackTrace?.IndexOf("SslStream", StringComparison.Ordinal) >= 0;

        private static int Milliseconds(TimeSpan timeout) => (int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds));

        private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
    }
}
