using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// One client connection, between the socket and SmtpServer. It reads each command, applies the
    /// server's scripted faults, lets SmtpServer answer what it knows, and answers itself what SmtpServer
    /// 11.1.0 lacks or gets wrong: ESMTP parameters (recorded and checked), UTF-8 addresses, the content
    /// (its dot-unstuffing misses the first line and an empty message never ends), BDAT, SIZE, TLS. One
    /// command is handled at a time, and the replies go out in one write when the client's input runs
    /// dry, as RFC 2920 wants of a pipelining server.
    /// </summary>
    internal sealed partial class SessionFront
    {
        private static readonly UTF8Encoding Utf8 = new UTF8Encoding(false, false);
        private static readonly byte[] EmptyDotBlock = Encoding.ASCII.GetBytes("x\r\n.\r\n");

        private readonly Socket _socket;
        private readonly ISessionContext _context;
        private readonly SmtpTestServer _server;
        private readonly SmtpTestServerOptions _options;
        private readonly CancellationTokenSource _cancel;
        private readonly Action<SessionFront> _forget;
        private readonly SmtpTestConnection _connection;
        private readonly ClientReader _reader;
        private readonly MemoryStream _output = new MemoryStream();
        private readonly TaskCompletionSource<bool> _tls = new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously);
        private Stream _stream;
        private SslStream? _ssl;
        private SmtpTestTransaction? _transaction;
        private ContentBuffer? _content;
        private bool _closedByServer;
        private bool _authenticating;
        private Reply? _closingReply;
        private int _closed;

        internal SessionFront(Socket socket, ISessionContext context, SmtpTestServer server, CancellationToken stopping, Action<SessionFront> forget)
        {
            _socket = socket;
            _context = context;
            _server = server;
            _options = server.Options;
            _cancel = CancellationTokenSource.CreateLinkedTokenSource(stopping);
            _forget = forget;
            _stream = new NetworkStream(socket, ownsSocket: true);
            _reader = new ClientReader(_stream, FlushAsync);
            _connection = server.OpenConnection(socket.RemoteEndPoint?.ToString() ?? "?");
            Pipe = new FrontPipe(this);
        }

        internal FrontPipe Pipe { get; }

        internal bool IsSecure => _ssl != null;

        internal SslProtocols SslProtocol => _ssl?.SslProtocol ?? SslProtocols.None;

        /// <summary>Completes when the front's TLS handshake is done (SmtpServer's STARTTLS waits on it).</summary>
        internal Task TlsEstablished => _tls.Task;

        private CancellationToken Cancel => _cancel.Token;

        internal void Start() => _ = Task.Run(RunAsync);

        /// <summary>The server is stopping: ends the connection wherever it is.</summary>
        internal void Abort()
        {
            _closedByServer = true;
            try
            {
                _cancel.Cancel();
                _socket.Dispose();
            }
            catch (ObjectDisposedException)
            {
                // It closed by itself in the meantime.
            }
        }

        private async Task RunAsync()
        {
            _connection.Log(SmtpLogKind.Event, $"connection from {_connection.RemoteEndPoint}");
            try
            {
                if (_options.Tls == SmtpTestTlsMode.Implicit && !await HandshakeAsync().ConfigureAwait(false))
                {
                    return;
                }

                Reply? greeting = await EngineReplyAsync().ConfigureAwait(false);
                if (greeting == null || !Give(await StageAsync(SmtpStage.Greeting, string.Empty, null, () => Task.FromResult<Reply?>(greeting)).ConfigureAwait(false)))
                {
                    return;
                }

                while (true)
                {
                    byte[]? raw;
                    try
                    {
                        raw = await _reader.ReadLineAsync(Cancel).ConfigureAwait(false);
                    }
                    catch (LineTooLongException e)
                    {
                        _connection.Log(SmtpLogKind.Error, e.Message);
                        Queue(new Reply(500, "5.5.2 Line too long"));
                        return;
                    }

                    if (raw == null)
                    {
                        return;
                    }

                    string line = Utf8.GetString(raw);
                    string verb = Verb(line);
                    _connection.Log(SmtpLogKind.Client, verb == "AUTH" ? Redact(line) : line);
                    if (!await HandleAsync(verb, line, raw).ConfigureAwait(false))
                    {
                        return;
                    }
                }
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
                // The client went away or the server is stopping; the records say where it ended.
            }
            catch (Exception e)
            {
                _connection.Log(SmtpLogKind.Error, "the test server failed: " + e.Message);
            }
            finally
            {
                await CloseAsync().ConfigureAwait(false);
            }
        }

        private Task<bool> HandleAsync(string verb, string line, byte[] raw)
        {
            SettleAuthentication();
            switch (verb)
            {
                case "EHLO":
                case "HELO":
                    return HeloAsync(verb, line, raw);
                case "STARTTLS":
                    return StartTlsAsync(raw);
                case "AUTH":
                    return AuthAsync(raw);
                case "MAIL":
                    return MailAsync(line);
                case "RCPT":
                    return RcptAsync(line);
                case "DATA":
                    return DataAsync(line);
                case "BDAT":
                    return BdatAsync(line);
                case "RSET":
                    EndTransaction(SmtpTestOutcome.Aborted);
                    return PassAsync(SmtpStage.Reset, raw);
                case "QUIT":
                    EndTransaction(SmtpTestOutcome.Aborted);
                    return QuitAsync(raw);
                default:
                    // NOOP, HELP, VRFY, unknown commands: SmtpServer's answer stands.
                    return PassAsync(null, raw);
            }
        }

        private async Task<bool> PassAsync(SmtpStage? stage, byte[] raw)
        {
            Reply? reply = stage == null
                ? await ForwardAsync(raw).ConfigureAwait(false)
                : await StageAsync(stage.Value, _transaction?.MailFrom ?? string.Empty, null, () => ForwardAsync(raw)).ConfigureAwait(false);
            return Give(reply);
        }

        private async Task<bool> QuitAsync(byte[] raw)
        {
            Give(await StageAsync(SmtpStage.Quit, string.Empty, null, () => ForwardAsync(raw)).ConfigureAwait(false));
            return false; // RFC 5321 4.1.1.10: the server closes after its reply to QUIT.
        }

        private async Task<bool> HeloAsync(string verb, string line, byte[] raw)
        {
            // RFC 5321 4.1.4: EHLO or HELO in the middle of a transaction ends it like RSET.
            EndTransaction(SmtpTestOutcome.Aborted);
            Reply? reply = await StageAsync(verb == "EHLO" ? SmtpStage.Ehlo : SmtpStage.Helo, string.Empty, null, () => ForwardAsync(raw)).ConfigureAwait(false);
            if (reply != null && reply.Code == 250)
            {
                _connection.HeloName = line.Length > 5 ? line.Substring(5).Trim() : string.Empty;
            }

            return Give(reply);
        }

        private async Task<bool> AuthAsync(byte[] raw)
        {
            if (!_options.Offers(SmtpTestExtension.Auth))
            {
                return Give(new Reply(502, "5.5.1 AUTH is not offered"));
            }

            if (_options.Tls == SmtpTestTlsMode.StartTls && !IsSecure)
            {
                return Give(new Reply(538, "5.7.11 Encryption required for requested authentication mechanism"));
            }

            Reply? reply = await StageAsync(SmtpStage.Auth, string.Empty, null, () => ForwardAsync(raw)).ConfigureAwait(false);
            while (reply != null && reply.Code == 334)
            {
                Give(reply);
                byte[]? answer = await _reader.ReadLineAsync(Cancel).ConfigureAwait(false);
                if (answer == null)
                {
                    return false;
                }

                _connection.Log(SmtpLogKind.Client, "***");
                reply = await ForwardAsync(answer).ConfigureAwait(false);
            }

            // SmtpServer records the user just after it wrote 235, so the user is read with the next command.
            _authenticating = reply != null && reply.Code == 235;
            return Give(reply);
        }

        /// <summary>
        /// Applies the first fault that matches this stage, or returns the normal reply. Null means the
        /// connection was closed instead of replying.
        /// </summary>
        private async Task<Reply?> StageAsync(SmtpStage stage, string sender, string? recipient, Func<Task<Reply?>> normal)
        {
            SmtpTestFault? fault = _server.FindFault(stage, sender, recipient);
            if (fault == null)
            {
                return await normal().ConfigureAwait(false);
            }

            _connection.Log(SmtpLogKind.Event, $"scripted fault #{fault.Id} at {stage}: {fault}");
            if (fault.Delay > TimeSpan.Zero)
            {
                // The replies already due go out first; only this one waits.
                await FlushAsync().ConfigureAwait(false);
                await Task.Delay(fault.Delay, Cancel).ConfigureAwait(false);
            }

            switch (fault.Action)
            {
                case SmtpTestFaultAction.Reply:
                case SmtpTestFaultAction.Greylist:
                    return new Reply(fault.Code, fault.Text);
                case SmtpTestFaultAction.Disconnect:
                    _closingReply = new Reply(421, fault.Text);
                    Queue(_closingReply);
                    _closedByServer = true;
                    return null;
                case SmtpTestFaultAction.Drop:
                    _closedByServer = true;
                    return null;
                default:
                    return await normal().ConfigureAwait(false);
            }
        }

        /// <summary>Queues the reply for the client; false (close) when there is none.</summary>
        private bool Give(Reply? reply)
        {
            if (reply == null)
            {
                return false;
            }

            Queue(reply);
            return true;
        }

        private void Queue(Reply reply)
        {
            string wire = reply.ToWire();
            _connection.Log(SmtpLogKind.Server, wire);
            byte[] bytes = Utf8.GetBytes(wire.Replace("\n", "\r\n") + "\r\n");
            _output.Write(bytes, 0, bytes.Length);
        }

        /// <summary>Sends the queued replies in one write.</summary>
        private async Task FlushAsync()
        {
            if (_output.Length == 0)
            {
                return;
            }

            int length = (int)_output.Length;
            _output.SetLength(0);
            await _stream.WriteAsync(_output.GetBuffer(), 0, length, Cancel).ConfigureAwait(false);
            await _stream.FlushAsync(Cancel).ConfigureAwait(false);
        }

        private void EndTransaction(SmtpTestOutcome outcome)
        {
            if (_transaction != null)
            {
                // A transaction the client gave up after every recipient was refused was refused, not abandoned.
                if (outcome == SmtpTestOutcome.Aborted && _transaction.Recipients.Count > 0 && _transaction.RcptTo.Count == 0)
                {
                    outcome = SmtpTestOutcome.Refused;
                }

                _transaction.Outcome = outcome;
                _transaction.Size = _content?.Length ?? 0;
                _server.EndTransaction(_transaction);
                _transaction = null;
                _content = null;
            }
        }

        private async Task CloseAsync()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            SettleAuthentication();
            EndTransaction(_closedByServer ? SmtpTestOutcome.Disconnected : SmtpTestOutcome.Aborted);
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            catch (Exception e) when (e is IOException || e is SocketException || e is OperationCanceledException || e is ObjectDisposedException)
            {
            }

            try
            {
                _socket.Shutdown(SocketShutdown.Both);
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException)
            {
            }

            _stream.Dispose();
            _socket.Dispose();
            _tls.TrySetCanceled();
            // SmtpServer reads the end of its input and finishes the session.
            await Pipe.Commands.CompleteAsync().ConfigureAwait(false);
            _connection.Closed = DateTime.Now;
            _connection.Log(SmtpLogKind.Event, _closedByServer ? "connection closed by the server" : "connection closed");
            _cancel.Dispose();
            _forget(this);
        }

        private void SettleAuthentication()
        {
            if (_authenticating && _context.Authentication.IsAuthenticated)
            {
                _connection.AuthenticatedUser = _context.Authentication.User;
                _authenticating = false;
            }
        }

        private static string Verb(string line)
        {
            int space = line.IndexOf(' ');
            return (space < 0 ? line : line.Substring(0, space)).ToUpperInvariant();
        }

        private static string Redact(string line)
        {
            string[] words = line.Split(' ');
            return words.Length > 2 ? words[0] + " " + words[1] + " ***" : line;
        }
    }
}
