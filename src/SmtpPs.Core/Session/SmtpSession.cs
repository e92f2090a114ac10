using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>
    /// One SMTP session (RFC 5321): the greeting, EHLO (HELO on 500/502), any number of mail
    /// transactions, QUIT. It knows nothing of PowerShell: it reports every reply to an observer and
    /// throws <see cref="SmtpException"/>s for faults. After a fault the connection is closed; after a
    /// refused transaction it stays usable, and the next transaction starts with RSET.
    /// </summary>
    internal sealed partial class SmtpSession : IDisposable
    {
        /// <summary>The file is read in blocks of this size: memory does not grow with the message.</summary>
        private const int ReadBlockSize = 256 * 1024;

        private readonly SmtpTransport _transport;
        private readonly ReplyReader _reader;
        private readonly SessionOptions _options;
        private readonly SmtpTimeouts _timeouts;
        private readonly ISmtpDialogueObserver _observer;
        private readonly Dictionary<string, string> _capabilities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private byte[]? _readBuffer;
        private byte[]? _writeBuffer;
        private bool _needsReset;
        private bool _inContent;
        private bool _closed;
        private CancellationTokenRegistration _cancellation;
        private SmtpTlsInfo? _tls;

        private SmtpSession(SmtpTransport transport, SessionOptions options, ISmtpDialogueObserver observer)
        {
            _transport = transport;
            _reader = new ReplyReader(transport);
            _options = options;
            _timeouts = options.Timeouts;
            _observer = observer;
            ServerName = $"{options.Server}:{options.Port}";
        }

        /// <summary>"host:port" as the user named it.</summary>
        public string ServerName { get; }

        /// <summary>
        /// Connects, reads the greeting, introduces the client, and then, as the options say, starts TLS
        /// and authenticates: everything a transaction needs before MAIL FROM.
        /// </summary>
        public static SmtpSession Open(SessionOptions options, ISmtpDialogueObserver observer, CancellationToken cancellation)
        {
            var connecting = Stopwatch.StartNew();
            SmtpTransport transport = SmtpTransport.Connect(options.Server, options.Port, options.Timeouts.Connect,
                observer.OnVerbose, cancellation);
            var session = new SmtpSession(transport, options, observer);

            // Ctrl+C at any point of the session, even before Open returns, closes the socket at once.
            session._cancellation = cancellation.Register(transport.Abort);
            try
            {
                if (options.UsesImplicitTls)
                {
                    session.Guard(() => session.Handshake());
                }

                session.Greet(connecting);
                if (!options.GoesPast(SmtpQuitAfter.Connect))
                {
                    return session;
                }

                string heloName = options.HeloName ?? HeloName.ForThisMachine(transport.LocalEndPoint);
                session.Introduce(heloName);
                if (!options.GoesPast(SmtpQuitAfter.Ehlo))
                {
                    return session;
                }

                if (options.WantsStartTls)
                {
                    session.NegotiateStartTls(heloName);
                }

                if (options.Credentials != null && options.GoesPast(SmtpQuitAfter.StartTls))
                {
                    session.Authenticate(options.Credentials);
                }

                return session;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        /// <summary>Ends the session politely: QUIT, then close. Does nothing on a closed session.</summary>
        public void Quit()
        {
            if (_closed)
            {
                return;
            }

            try
            {
                Guard(() =>
                {
                    if (_group != null && _group.OwesReplies && !_group.DrainBeforeQuit())
                    {
                        return; // DATA was accepted and must not be completed: hang up (finally) instead of QUIT
                    }

                    SmtpReply quit;
                    if (_pending != null)
                    {
                        // PIPELINING: QUIT goes right behind the last message; its final dot is answered first.
                        byte[] line = CommandLine.Encode("QUIT");
                        var timer = Stopwatch.StartNew();
                        Narrate("C: QUIT");
                        _transport.Write(line, 0, line.Length, Deadline.After(_timeouts.Quit, SmtpStage.Quit));
                        SettlePending();
                        quit = ReadReply(Deadline.After(_timeouts.Quit, SmtpStage.Quit), "QUIT", SmtpStage.Quit, null, timer);
                    }
                    else
                    {
                        quit = Exchange("QUIT", SmtpStage.Quit, null);
                    }

                    if (!IsExpected(quit, 221))
                    {
                        _observer.OnRejected(quit, "The server did not accept QUIT; the messages above are settled either way");
                    }
                });
            }
            finally
            {
                Close();
            }
        }

        public void Dispose() => Close();

        private void Greet(Stopwatch sinceConnect)
        {
            Guard(() =>
            {
                SmtpReply greeting = ReadReply(Deadline.After(_timeouts.Greeting, SmtpStage.Greeting), "(greeting)",
                    SmtpStage.Greeting, null, sinceConnect);
                if (!IsExpected(greeting, 220))
                {
                    EndSession(greeting, "The server refused the session in its greeting; nothing was sent");
                }
            });
        }

        private void Introduce(string heloName)
        {
            Guard(() =>
            {
                SmtpReply ehlo = Exchange("EHLO " + heloName, SmtpStage.Ehlo, null);
                if (IsExpected(ehlo, 250))
                {
                    LearnCapabilities(ehlo);
                    return;
                }

                if (ehlo.Code != 500 && ehlo.Code != 502)
                {
                    EndSession(ehlo, "The server refused EHLO; nothing was sent");
                }

                // RFC 5321 4.1.4: a server that does not know EHLO still knows HELO.
                Narrate("The server does not support EHLO; falling back to HELO.");
                SmtpReply helo = Exchange("HELO " + heloName, SmtpStage.Helo, null);
                if (!IsExpected(helo, 250))
                {
                    EndSession(helo, "The server refused HELO; nothing was sent");
                }
            });
        }

        private void LearnCapabilities(SmtpReply ehlo)
        {
            _capabilities.Clear();
            foreach (KeyValuePair<string, string> capability in EhloCapabilities.Parse(ehlo.Lines))
            {
                _capabilities[capability.Key] = capability.Value;
            }

            Narrate(_capabilities.Count == 0
                ? "The server advertised no extensions."
                : "The server advertised: " + string.Join(", ", _capabilities.Keys) + ".");
            var used = new List<string>();
            foreach (string extension in new[] { "PIPELINING", "CHUNKING", "SIZE", "8BITMIME", "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES" })
            {
                if (_capabilities.ContainsKey(extension))
                {
                    used.Add(extension);
                }
            }

            Narrate(used.Count == 0 ? "SmtpPs uses none of its extensions with this server." : "SmtpPs uses: " + string.Join(", ", used) + ".");
        }

        private SmtpReply Exchange(string command, SmtpStage stage, string? path) => Exchange(command, command, stage, path);

        /// <summary>
        /// Sends one command and reads its reply. <paramref name="shown"/> is what the reply object, the
        /// verbose stream and the errors say was sent: the command itself, or a redacted form (AUTH).
        /// </summary>
        private SmtpReply Exchange(string command, string shown, SmtpStage stage, string? path) =>
            Exchange(CommandLine.Encode(command), shown, stage, path);

        private SmtpReply Exchange(byte[] line, string shown, SmtpStage stage, string? path)
        {
            // RELIABILITY row 42: bytes that arrived before this command was sent are not its reply.
            if (_reader.HasBufferedInput || _transport.HasPendingInput)
            {
                throw new SmtpProtocolException(
                    $"The server sent data nobody asked for before '{shown}'; replies could no longer be matched to commands.",
                    stage);
            }

            var deadline = Deadline.After(_timeouts.For(stage), stage);
            var timer = Stopwatch.StartNew();
            if (Narrating)
            {
                Narrate("C: " + shown);
            }

            _transport.Write(line, 0, line.Length, deadline);
            return ReadReply(deadline, shown, stage, path, timer);
        }

        private SmtpReply ReadReply(Deadline deadline, string command, SmtpStage stage, string? path, Stopwatch timer)
        {
            RawReply raw = _reader.Read(deadline);
            bool enhanced = _capabilities.ContainsKey("ENHANCEDSTATUSCODES")
                && stage != SmtpStage.Greeting && stage != SmtpStage.Ehlo && stage != SmtpStage.Helo;
            var reply = new SmtpReply(raw.Code, raw.Lines,
                enhanced ? EnhancedStatusCode.Parse(raw.Code, raw.Lines[0]) : string.Empty,
                command, stage, timer.Elapsed, path, ServerName, _tls);
            if (Narrating)
            {
                Narrate(string.Join("\n", FormatReplyLines(raw)));
            }

            _observer.OnReply(reply);
            return reply;
        }

        /// <summary>Tells the story for -Verbose; callers pass ready strings, so hot paths check <see cref="Narrating"/> first.</summary>
        private void Narrate(string message) => _observer.OnVerbose(message);

        private bool Narrating => _observer.Narrates;

        /// <summary>The reply as it was on the wire ("S: 250-first", "S: 250 last"), for -Verbose and transcripts.</summary>
        private static IEnumerable<string> FormatReplyLines(RawReply raw)
        {
            for (int i = 0; i < raw.Lines.Length; i++)
            {
                yield return $"S: {raw.Code}{(i == raw.Lines.Length - 1 ? " " : "-")}{raw.Lines[i]}";
            }
        }

        /// <summary>
        /// True for an expected code. A positive code that does not answer this command (say 354 to MAIL)
        /// means the dialogue is out of step: a protocol error, never a success.
        /// </summary>
        private static bool IsExpected(SmtpReply reply, params int[] expected)
        {
            if (Array.IndexOf(expected, reply.Code) >= 0)
            {
                return true;
            }

            if (reply.IsPositive)
            {
                throw new SmtpProtocolException(
                    $"The server answered '{reply.Command}' with {reply.Code}, where {string.Join(" or ", expected)} was expected.",
                    reply.Stage, reply);
            }

            return false;
        }

        /// <summary>A refused transaction: reported, and the session goes on unless the server is closing (421).</summary>
        private void Refuse(SmtpReply reply, SmtpMessageResult result, string explanation)
        {
            result.FinalReply = reply;
            if (ReplyClass.IsServiceClosing(reply.Code))
            {
                EndSession(reply, explanation);
            }

            _observer.OnRejected(reply, explanation + ".");
        }

        /// <summary>
        /// A refusal that ends the session: 421 means the server is closing, so just close (RFC 5321 3.8);
        /// after anything else say QUIT first (4.3.1 for a 554 greeting).
        /// </summary>
        private void EndSession(SmtpReply reply, string explanation)
        {
            bool closing = ReplyClass.IsServiceClosing(reply.Code);
            _observer.OnRejected(reply, closing
                ? explanation + "; the server is closing the connection, so no later message can be sent."
                : explanation + ".");
            if (!closing)
            {
                TryQuit();
            }

            Close();
            throw new SmtpSessionRejectedException(reply);
        }

        /// <summary>A security requirement that cannot be met: QUIT politely, close, and fail with <paramref name="failure"/>.</summary>
        private void Fail(SmtpException failure)
        {
            TryQuit();
            Close();
            throw failure;
        }

        private void TryQuit()
        {
            try
            {
                SmtpReply quit = Exchange("QUIT", SmtpStage.Quit, null);
                IsExpected(quit, 221);
            }
            catch (SmtpException e)
            {
                Narrate("QUIT after the refusal failed too: " + e.Message);
            }
        }

        private void EnsureOpen()
        {
            if (_closed)
            {
                throw new InvalidOperationException("The session is closed.");
            }
        }

        /// <summary>
        /// A fault of the dialogue leaves the connection untrustworthy: close it (RELIABILITY row 49). So does
        /// any failure in the middle of the content, since SMTP has no way to abort DATA but to hang up.
        /// A failure of the observer between replies (the caller stopping) leaves the session to the caller,
        /// who can still QUIT politely.
        /// </summary>
        private void Guard(Action step)
        {
            try
            {
                step();
            }
            catch (SmtpSessionRejectedException)
            {
                throw;
            }
            catch (Exception e) when (_inContent || e is SmtpException || e is OperationCanceledException)
            {
                Close();
                throw;
            }
        }

        private void Close()
        {
            if (!_closed)
            {
                _closed = true;
                _cancellation.Dispose();
                _transport.Dispose();
                AbandonPending();
            }
        }
    }
}
