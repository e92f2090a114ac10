using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Net;
using SmtpPs.Logging;
using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>
    /// The command and reply channel of one connection: every command line goes out through here, every
    /// reply comes in through here, is logged once and handed to the reply sink once. It knows the
    /// stages' deadlines and turns raw replies into <see cref="SmtpReply"/> objects; what a reply means
    /// for the dialogue is the session's business.
    /// </summary>
    internal sealed class SmtpChannel : IDisposable
    {
        private readonly SmtpTransport _transport;
        private readonly ReplyReader _reader;
        private readonly SmtpTimeouts _timeouts;
        private readonly IDialogueSink _sink;

        public SmtpChannel(SmtpTransport transport, SmtpTimeouts timeouts, ProtocolLog log, IDialogueSink sink, string serverName)
        {
            _transport = transport;
            _reader = new ReplyReader(transport);
            _timeouts = timeouts;
            Log = log;
            _sink = sink;
            ServerName = serverName;
        }

        /// <summary>"host:port" as the user named it: what replies and results say.</summary>
        public string ServerName { get; }

        public ProtocolLog Log { get; }

        public SmtpTimeouts Timeouts => _timeouts;

        /// <summary>The TLS session, once there is one: every later reply carries it.</summary>
        public SmtpTlsInfo? Tls { get; private set; }

        public bool IsEncrypted => _transport.IsEncrypted;

        public bool IsClosed { get; private set; }

        public IPEndPoint? LocalEndPoint => _transport.LocalEndPoint;

        public IPEndPoint RemoteEndPoint => _transport.RemoteEndPoint;

        /// <summary>The last reply read, even when the sink refused to take it (the caller stopping as it arrived).</summary>
        public SmtpReply? LastReply { get; private set; }

        /// <summary>Set when the server advertised ENHANCEDSTATUSCODES (RFC 2034): replies then carry class.subject.detail.</summary>
        public bool EnhancedStatusCodes { get; set; }

        /// <summary>
        /// Refuses to go on when the server sent bytes nobody asked for: a reply that arrived before its
        /// command could never again be matched to the right command (RFC 2920 3.1 pairs them strictly).
        /// </summary>
        public void ThrowIfUnaskedInput(string before, SmtpStage stage)
        {
            if (HasUnaskedInput)
            {
                throw new SmtpProtocolException(
                    $"The server sent data nobody asked for before {before}; replies could no longer be matched to commands.",
                    stage);
            }
        }

        /// <summary>True when the server has sent bytes that no command asked for yet (read ahead, or waiting in the socket).</summary>
        public bool HasUnaskedInput => _reader.HasBufferedInput || _transport.HasPendingInput;

        /// <summary>Sends one command and reads its reply.</summary>
        public SmtpReply Exchange(SmtpCommand command)
        {
            ThrowIfUnaskedInput($"'{command.Shown}'", command.Stage);
            var timer = Stopwatch.StartNew();
            Send(new[] { command });
            return Read(command, timer);
        }

        /// <summary>
        /// Sends commands in one write (a pipelined group, RFC 2920 3.1, or a single command), each
        /// logged as it is shown: the redacted form for AUTH.
        /// </summary>
        public void Send(IReadOnlyList<SmtpCommand> commands)
        {
            byte[] bytes;
            if (commands.Count == 1)
            {
                bytes = commands[0].Wire;
            }
            else
            {
                var all = new List<byte>();
                foreach (SmtpCommand command in commands)
                {
                    all.AddRange(command.Wire);
                }

                bytes = all.ToArray();
            }

            if (Log.IsDetailed)
            {
                foreach (SmtpCommand command in commands)
                {
                    Log.Client(command.Shown);
                }
            }

            _transport.Write(bytes, 0, bytes.Length, Deadline.After(_timeouts.For(commands[0].Stage), commands[0].Stage));
        }

        /// <summary>Reads the reply to <paramref name="command"/>, which was sent already; <paramref name="timer"/> runs from its sending.</summary>
        public SmtpReply Read(SmtpCommand command, Stopwatch timer) =>
            Read(command.Shown, command.Stage, command.Path, timer, _timeouts.For(command.Stage));

        /// <summary>Reads a reply that answers no command line of its own: the greeting, the final dot, a content chunk.</summary>
        public SmtpReply Read(string answers, SmtpStage stage, string? path, Stopwatch timer, TimeSpan timeout)
        {
            RawReply raw = _reader.Read(Deadline.After(timeout, stage));
            bool enhanced = EnhancedStatusCodes && stage != SmtpStage.Greeting && stage != SmtpStage.Ehlo && stage != SmtpStage.Helo;
            var reply = new SmtpReply(raw.Code, raw.Lines,
                enhanced ? EnhancedStatusCode.Parse(raw.Code, raw.Lines[0]) : string.Empty,
                answers, stage, timer.Elapsed, path, ServerName, Tls);
            LastReply = reply;
            Log.Server(raw);
            _sink.OnReply(reply);
            return reply;
        }

        /// <summary>Message content (or a BDAT chunk with its command), bounded by the data block timeout.</summary>
        public void WriteContent(byte[] buffer, int offset, int count) =>
            _transport.Write(buffer, offset, count, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));

        /// <summary>The TLS handshake, after STARTTLS's 220 or on connecting to an implicit-TLS port.</summary>
        public void StartTls(CertificatePolicy policy)
        {
            Tls = _transport.StartTls(policy, Deadline.After(_timeouts.StartTls, SmtpStage.StartTls));
            Log.Event("TLS established: " + Tls);
        }

        /// <summary>Closes the connection from any thread at once (RST); a call in progress ends.</summary>
        public void Abort() => _transport.Abort();

        /// <summary>Closes the connection gracefully (FIN).</summary>
        public void Dispose()
        {
            if (!IsClosed)
            {
                IsClosed = true;
                _transport.Dispose();
            }
        }
    }
}
