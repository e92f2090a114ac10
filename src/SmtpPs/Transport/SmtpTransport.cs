using System;
using System.Collections.Generic;
using System.IO;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;

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
        private readonly Stream _stream;
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

        /// <summary>True when the server has sent bytes nobody has read yet.</summary>
        public bool HasPendingInput
        {
            get
            {
                try
                {
                    return _socket.Available > 0;
                }
                catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
                {
                    return false;
                }
            }
        }

        /// <summary>
        /// Resolves <paramref name="host"/> (A and AAAA) and tries each address in turn, each attempt
        /// bounded by <paramref name="connectTimeout"/> (RELIABILITY row 60).
        /// </summary>
        public static SmtpTransport Connect(string host, int port, TimeSpan connectTimeout, Action<string> verbose,
            CancellationToken cancellation)
        {
            IReadOnlyList<IPAddress> addresses = Resolve(host, connectTimeout, verbose, cancellation);
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
                // The send timeout catches a server that stops reading (RELIABILITY row 47).
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

        public void Dispose()
        {
            Abort();
            _stream.Dispose();
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

            return new SmtpConnectionException($"The connection to {this} was lost: {e.Message}", deadline.Stage, e);
        }

        private static int Milliseconds(TimeSpan timeout) => (int)Math.Min(int.MaxValue, Math.Max(1, timeout.TotalMilliseconds));

        private static void Observe(Task task) => task.ContinueWith(t => _ = t.Exception, TaskScheduler.Default);
    }
}
