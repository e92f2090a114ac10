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
        private const int ReadBlockSize = 64 * 1024;

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

        /// <summary>EHLO keywords (upper case) and their parameters, from the last EHLO; empty after HELO.</summary>
        public IReadOnlyDictionary<string, string> Capabilities => _capabilities;

        public bool IsOpen => !_closed;

        /// <summary>The TLS session, once there is one.</summary>
        public SmtpTlsInfo? Tls => _tls;

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
                string heloName = options.HeloName ?? HeloName.ForThisMachine(transport.LocalEndPoint);
                session.Introduce(heloName);
                if (options.WantsStartTls)
                {
                    session.NegotiateStartTls(heloName);
                }

                if (options.Credentials != null)
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

        /// <summary>
        /// Sends one message in one transaction and fills <paramref name="result"/> as it goes, so that
        /// after an exception it still tells whether the final dot had been sent.
        /// </summary>
        public void Send(Envelope envelope, MessageFile message, Stream content, SmtpMessageResult result)
        {
            EnsureOpen();
            bool eightBit = message.Facts.HasEightBit;
            if (eightBit && !_capabilities.ContainsKey("8BITMIME"))
            {
                // RFC 6152: without 8BITMIME the octets above 127 cannot go; a raw file is never re-encoded.
                throw new SmtpMessageNotSentException(SmtpNotSentReason.EightBitNotSupported, message.Path,
                    $"'{message.Path}' contains octets above 127 and {ServerName} does not offer 8BITMIME; SmtpPs does not re-encode a raw file, so it was not sent.");
            }

            Guard(() =>
            {
                if (_needsReset)
                {
                    Reset(result.Path);
                }

                _needsReset = true; // until the transaction ends well
                string path = result.Path;
                SmtpReply mail = Exchange(envelope.MailCommandWith(eightBit ? "BODY=8BITMIME" : string.Empty), SmtpStage.MailFrom, path);
                if (!IsExpected(mail, 250))
                {
                    Refuse(mail, result, $"The server refused the sender <{envelope.From}>; '{path}' was not sent");
                    return;
                }

                foreach (string recipient in envelope.To)
                {
                    SmtpReply rcpt = Exchange(Envelope.RcptCommand(recipient), SmtpStage.RcptTo, path);
                    if (IsExpected(rcpt, 250, 251))
                    {
                        result.AcceptedRecipients.Add(recipient);
                        continue;
                    }

                    result.RejectedRecipients.Add(recipient);
                    bool last = result.RejectedRecipients.Count == envelope.To.Count;
                    Refuse(rcpt, result, last
                        ? $"The server refused the recipient <{recipient}>; no recipient was accepted, so '{path}' was not sent"
                        : $"The server refused the recipient <{recipient}>; '{path}' goes to the accepted recipients only");
                }

                if (result.AcceptedRecipients.Count == 0)
                {
                    _observer.OnVerbose($"No recipient accepted: '{path}' not sent; the next transaction starts with RSET.");
                    return;
                }

                SmtpReply data = Exchange("DATA", SmtpStage.Data, path);
                if (!IsExpected(data, 354))
                {
                    Refuse(data, result, $"The server refused DATA; '{path}' was not sent");
                    return;
                }

                var timer = Stopwatch.StartNew();
                _inContent = true;
                content.Position = message.Facts.BomLength;
                try
                {
                    WriteContent(content, result);
                }
                catch (Exception e) when ((e is SmtpTimeoutException || e is SmtpConnectionException) &&
                                          result.Status == SmtpDeliveryStatus.NotDelivered)
                {
                    ReportReplyToUnfinishedContent(path, result, e);
                    throw;
                }

                _inContent = false;
                SmtpReply end = ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)",
                    SmtpStage.EndOfData, path, timer);
                if (!IsExpected(end, 250))
                {
                    result.Status = SmtpDeliveryStatus.NotDelivered;
                    Refuse(end, result, $"The server refused the message '{path}' after receiving it; it was not delivered");
                    return;
                }

                result.Status = SmtpDeliveryStatus.Delivered;
                result.FinalReply = end;
                result.QueueId = QueueId.Parse(end.Text);
                _needsReset = false;
            });
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
                    SmtpReply quit = Exchange("QUIT", SmtpStage.Quit, null);
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
                _observer.OnVerbose("The server does not support EHLO; falling back to HELO.");
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
            for (int i = 1; i < ehlo.Lines.Count; i++)
            {
                string line = ehlo.Lines[i].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                int space = line.IndexOf(' ');
                string keyword = (space < 0 ? line : line.Substring(0, space)).ToUpperInvariant();
                _capabilities[keyword] = space < 0 ? string.Empty : line.Substring(space + 1).Trim();
            }

            _observer.OnVerbose(_capabilities.Count == 0
                ? "The server advertised no extensions."
                : "The server advertised: " + string.Join(", ", _capabilities.Keys) + ".");
        }

        private void Reset(string path)
        {
            SmtpReply reset = Exchange("RSET", SmtpStage.Reset, path);
            if (!IsExpected(reset, 250))
            {
                // RELIABILITY row 58: a session whose RSET fails cannot be trusted with another transaction.
                EndSession(reset, $"The server refused RSET; '{path}' and any later message were not sent");
            }

            _needsReset = false;
        }

        /// <summary>Streams the file through fixed buffers, dot-stuffed and with CRLF line ends, then the final dot.</summary>
        private void WriteContent(Stream content, SmtpMessageResult result)
        {
            _readBuffer ??= new byte[ReadBlockSize];
            _writeBuffer ??= new byte[DataEncoder.MaxEncodedLength(ReadBlockSize) + DataEncoder.MaxFinishLength];
            var encoder = new DataEncoder();
            long sent = 0;
            int read;
            _observer.OnVerbose($"C: ({result.Path}: message content)");
            while ((read = content.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
            {
                int encoded = encoder.Encode(_readBuffer, 0, read, _writeBuffer);
                _transport.Write(_writeBuffer, 0, encoded, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
                sent += encoded;
                result.BytesSent = sent;
            }

            int tail = encoder.Finish(_writeBuffer);
            _transport.Write(_writeBuffer, 0, tail, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
            result.BytesSent = sent + tail;

            // From here on, a lost connection may or may not have delivered the message.
            result.Status = SmtpDeliveryStatus.Unknown;
            _observer.OnVerbose($"C: . ({result.BytesSent} octets sent)");
        }

        /// <summary>
        /// RELIABILITY row 48: a server that refuses a message while it is being sent (a 552 for its size,
        /// say) and stops reading makes the write fail; the reply it sent says why, so read it if it is
        /// there and end the session with it. The message was not delivered: its final dot never left.
        /// </summary>
        private void ReportReplyToUnfinishedContent(string path, SmtpMessageResult result, Exception writeFailure)
        {
            SmtpReply reply;
            try
            {
                TimeSpan wait = _timeouts.Reset < TimeSpan.FromSeconds(5) ? _timeouts.Reset : TimeSpan.FromSeconds(5);
                reply = ReadReply(Deadline.After(wait, SmtpStage.Content), "(message content)", SmtpStage.Content, path, Stopwatch.StartNew());
            }
            catch (SmtpException)
            {
                return; // no reply either: the write failure is the whole story
            }

            result.FinalReply = reply;
            _observer.OnRejected(reply, $"The server refused '{path}' while it was being sent ({writeFailure.Message.TrimEnd('.')}); it was not delivered.");
            Close();
            throw new SmtpSessionRejectedException(reply);
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
            _observer.OnVerbose("C: " + shown);
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
            _observer.OnVerbose($"S: {reply.Code} {string.Join(" / ", raw.Lines)}");
            _observer.OnReply(reply);
            return reply;
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
                _observer.OnVerbose("QUIT after the refusal failed too: " + e.Message);
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
            }
        }
    }
}
