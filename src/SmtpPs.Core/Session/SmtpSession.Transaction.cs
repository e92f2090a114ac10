using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>
    /// One mail transaction (RFC 5321 3.3): MAIL, RCPT, DATA or BDAT, the content. With PIPELINING
    /// (RFC 2920) the commands of a transaction go in one write, and the reply to a message's final dot
    /// is read only with the replies of the next transaction (or QUIT), so that a batch costs one round
    /// trip per message; replies are always matched to commands strictly in order.
    /// </summary>
    internal sealed partial class SmtpSession
    {
        /// <summary>BDAT chunks in flight before one reply is read: bounds what the server must buffer.</summary>
        private const int MaxChunksInFlight = 16;

        private PendingEndOfData? _pending;

        /// <summary>The transaction's commands, while replies to them may still be owed (a caller that stops mid-way leaves some).</summary>
        private CommandGroup? _group;
        private bool _dsnWarned;

        /// <summary>
        /// Sends one message in one transaction. <paramref name="result"/> fills as it goes and is handed
        /// to <see cref="ISmtpDialogueObserver.OnSettled"/> once its outcome is final: at once, or (when
        /// the reply to its final dot is read later) with the next transaction, QUIT or a failure.
        /// </summary>
        public void Send(Envelope envelope, MessageFile message, Stream content, SmtpMessageResult result)
        {
            EnsureOpen();
            try
            {
                string mailParameters = MailParameters(envelope, message);
                Guard(() => Transact(envelope, message, content, result, mailParameters));
            }
            finally
            {
                if (_pending?.Result != result || _closed)
                {
                    _observer.OnSettled(result);
                }
            }
        }

        /// <summary>
        /// The MAIL parameters (RFC 1870, 6152, 6531, 3461), checked against what the server offers before
        /// anything of the message is sent. Only SmtpPs's own values go in; user text is xtext-encoded.
        /// </summary>
        private string MailParameters(Envelope envelope, MessageFile message)
        {
            string path = message.Path;
            var parameters = new List<string>();
            if (message.Facts.HasEightBit)
            {
                if (!_capabilities.ContainsKey("8BITMIME"))
                {
                    // RFC 6152: without 8BITMIME the octets above 127 cannot go; a raw file is never re-encoded.
                    throw new SmtpMessageNotSentException(SmtpNotSentReason.EightBitNotSupported, path,
                        $"'{path}' contains octets above 127 and {ServerName} does not offer 8BITMIME; SmtpPs does not re-encode a raw file, so it was not sent.");
                }

                parameters.Add("BODY=8BITMIME");
            }

            if (_capabilities.TryGetValue("SIZE", out string? size))
            {
                long limit = long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long parsed) ? parsed : 0;
                if (limit > 0 && message.Facts.WireSize > limit)
                {
                    throw new SmtpMessageNotSentException(SmtpNotSentReason.TooLarge, path,
                        $"'{path}' is {message.Facts.WireSize} octets and {ServerName} takes at most {limit} (SIZE); it was not sent.");
                }

                parameters.Add("SIZE=" + message.Facts.WireSize.ToString(CultureInfo.InvariantCulture));
            }

            if (envelope.NeedsSmtpUtf8 || message.Facts.HeadersEightBit)
            {
                if (!_capabilities.ContainsKey("SMTPUTF8"))
                {
                    throw new SmtpMessageNotSentException(SmtpNotSentReason.SmtpUtf8NotSupported, path,
                        $"'{path}' has {(envelope.NeedsSmtpUtf8 ? "an address" : "headers")} beyond ASCII and {ServerName} does not offer SMTPUTF8 (RFC 6531); it was not sent.");
                }

                parameters.Add("SMTPUTF8");
            }

            if (_options.WantsDsn && UsesDsn())
            {
                if (_options.ReturnContent != null)
                {
                    parameters.Add(_options.ReturnContent == SmtpReturnContent.Full ? "RET=FULL" : "RET=HDRS");
                }

                if (_options.EnvelopeId != null)
                {
                    parameters.Add("ENVID=" + Xtext.Encode(_options.EnvelopeId));
                }
            }

            return string.Join(" ", parameters);
        }

        /// <summary>RCPT parameters for DSN (RFC 3461 4.1, 4.2): NOTIFY, and ORCPT for an ASCII address.</summary>
        private string RcptParameters(string recipient)
        {
            if (!_options.WantsDsn || !UsesDsn())
            {
                return string.Empty;
            }

            var parameters = new List<string>();
            SmtpDeliveryNotification notify = _options.Notify;
            if (notify != SmtpDeliveryNotification.None)
            {
                var words = new List<string>();
                foreach (SmtpDeliveryNotification flag in new[] { SmtpDeliveryNotification.Never, SmtpDeliveryNotification.Success, SmtpDeliveryNotification.Failure, SmtpDeliveryNotification.Delay })
                {
                    if ((notify & flag) != 0)
                    {
                        words.Add(flag.ToString().ToUpperInvariant());
                    }
                }

                parameters.Add("NOTIFY=" + string.Join(",", words));
            }

            if (!CommandLine.NeedsUtf8(recipient))
            {
                parameters.Add("ORCPT=rfc822;" + Xtext.Encode(recipient));
            }

            return string.Join(" ", parameters);
        }

        private bool UsesDsn()
        {
            if (_capabilities.ContainsKey("DSN"))
            {
                return true;
            }

            if (!_dsnWarned)
            {
                _dsnWarned = true;
                _observer.OnWarning($"{ServerName} does not offer DSN (RFC 3461): the messages go without -DeliveryNotification, -ReturnContent and -EnvelopeId.");
            }

            return false;
        }

        private void Transact(Envelope envelope, MessageFile message, Stream content, SmtpMessageResult result, string mailParameters)
        {
            string path = result.Path;
            bool pipelining = _capabilities.ContainsKey("PIPELINING");
            bool chunking = _capabilities.ContainsKey("CHUNKING");
            bool wantsRcpt = _options.GoesPast(SmtpQuitAfter.Mail);
            bool wantsContent = _options.GoesPast(SmtpQuitAfter.Rcpt);

            var commands = new List<Command>();
            bool reset = _needsReset;
            if (reset)
            {
                commands.Add(new Command("RSET", SmtpStage.Reset, path));
            }

            commands.Add(new Command(envelope.MailCommandWith(mailParameters), SmtpStage.MailFrom, path));
            if (wantsRcpt)
            {
                foreach (string recipient in envelope.To)
                {
                    commands.Add(new Command(Envelope.RcptCommandWith(recipient, RcptParameters(recipient)), SmtpStage.RcptTo, path));
                }
            }

            // A small message goes with BDAT in the same write as MAIL and RCPT: one round trip in all.
            ChunkedContent? small = wantsContent && chunking && pipelining ? ReadSmallMessage(content, message, result) : null;
            if (wantsContent && !chunking)
            {
                commands.Add(new Command("DATA", SmtpStage.Data, path));
            }

            _needsReset = true; // until the transaction ends well
            var group = new CommandGroup(this, commands, pipelining, small);
            _group = group;
            SettlePending(); // the previous message's final dot was answered before this group's commands

            if (reset)
            {
                SmtpReply resetReply = group.Next();
                if (!IsExpected(resetReply, 250))
                {
                    // RELIABILITY row 58: a session whose RSET fails cannot be trusted with another transaction.
                    EndSession(resetReply, $"The server refused RSET; '{path}' and any later message were not sent");
                }
            }

            SmtpReply mail = group.Next();
            if (!IsExpected(mail, 250))
            {
                Refuse(mail, result, $"The server refused the sender <{envelope.From}>; '{path}' was not sent");
                group.Drain();
                return;
            }

            if (!wantsRcpt)
            {
                result.Status = SmtpDeliveryStatus.Checked;
                return; // -QuitAfter Mail: RSET before the next file, or QUIT
            }

            foreach (string recipient in envelope.To)
            {
                SmtpReply rcpt = group.Next();
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

            if (!wantsContent)
            {
                result.Status = SmtpDeliveryStatus.Checked;
                return; // -QuitAfter Rcpt: the replies say which recipients would be accepted
            }

            if (chunking)
            {
                if (small != null)
                {
                    FinishSmallChunk(group.Next(), result, small);
                    _needsReset = result.Status != SmtpDeliveryStatus.Delivered;
                }
                else if (result.AcceptedRecipients.Count > 0)
                {
                    SendChunks(content, message, result, pipelining);
                    _needsReset = result.Status != SmtpDeliveryStatus.Delivered;
                }
                else
                {
                    Narrate($"No recipient accepted: '{path}' not sent; the next transaction starts with RSET.");
                }

                return;
            }

            if (result.AcceptedRecipients.Count == 0 && !pipelining)
            {
                Narrate($"No recipient accepted: '{path}' not sent; the next transaction starts with RSET.");
                return; // without PIPELINING, DATA is never sent for want of recipients
            }

            SmtpReply data = group.Next();
            if (result.AcceptedRecipients.Count == 0)
            {
                // Pipelined, DATA went out before the RCPT replies came back. A server that still says 354
                // gets an empty message, which it must refuse for want of recipients (RFC 2920 3.1).
                if (data.Code == 354)
                {
                    _transport.Write(EndOfDataOnly, 0, EndOfDataOnly.Length, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
                    ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)", SmtpStage.EndOfData, path, Stopwatch.StartNew());
                }

                Narrate($"No recipient accepted: '{path}' not sent; the next transaction starts with RSET.");
                return;
            }

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
            if (pipelining)
            {
                // Read with the next group's replies or QUIT's: no round trip of its own. The final dot ends
                // the transaction whatever its reply says, so the next one needs no RSET.
                _pending = new PendingEndOfData(result, timer);
                _needsReset = false;
                return;
            }

            SmtpReply end = ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)",
                SmtpStage.EndOfData, path, timer);
            Conclude(end, result);
            _needsReset = result.Status != SmtpDeliveryStatus.Delivered;
        }

        private static readonly byte[] EndOfDataOnly = Encoding.ASCII.GetBytes(".\r\n");

        /// <summary>The reply to the final dot (or BDAT LAST) settles the message: 250 delivered, else not.</summary>
        private void Conclude(SmtpReply end, SmtpMessageResult result)
        {
            result.FinalReply = end;
            if (!IsExpected(end, 250))
            {
                result.Status = SmtpDeliveryStatus.NotDelivered;
                Refuse(end, result, $"The server refused the message '{result.Path}' after receiving it; it was not delivered");
                return;
            }

            result.Status = SmtpDeliveryStatus.Delivered;
            result.QueueId = QueueId.Parse(end.Text);
        }

        /// <summary>Reads the reply to a pipelined final dot, if one is outstanding, and settles its message.</summary>
        private void SettlePending()
        {
            if (_pending == null)
            {
                return;
            }

            PendingEndOfData pending = _pending;
            SmtpReply end = ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)",
                SmtpStage.EndOfData, pending.Result.Path, pending.Timer);
            _pending = null;
            try
            {
                Conclude(end, pending.Result);
            }
            finally
            {
                _observer.OnSettled(pending.Result);
            }
        }

        /// <summary>A session that ends with a message still waiting for its reply leaves it as it is: Unknown.</summary>
        private void AbandonPending()
        {
            if (_pending != null)
            {
                SmtpMessageResult result = _pending.Result;
                _pending = null;
                _observer.OnSettled(result);
            }
        }

        /// <summary>Streams the file through fixed buffers, dot-stuffed and with CRLF line ends, then the final dot.</summary>
        private void WriteContent(Stream content, SmtpMessageResult result)
        {
            _readBuffer ??= new byte[ReadBlockSize];
            _writeBuffer ??= new byte[ChunkHeaderRoom + DataEncoder.MaxEncodedLength(ReadBlockSize) + DataEncoder.MaxFinishLength];
            var encoder = new DataEncoder();
            long sent = 0;
            long consumed = 0;
            long total = content.Length - content.Position;
            int read;
            if (Narrating)
            {
                Narrate($"C: ({result.Path}: message content)");
            }

            while ((read = content.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
            {
                int encoded = encoder.Encode(_readBuffer, 0, read, _writeBuffer);
                _transport.Write(_writeBuffer, 0, encoded, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
                sent += encoded;
                consumed += read;
                result.BytesSent = sent;
                _observer.OnProgress(result.Path, consumed, total);
            }

            int tail = encoder.Finish(_writeBuffer);
            _transport.Write(_writeBuffer, 0, tail, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
            result.BytesSent = sent + tail;

            // From here on, a lost connection may or may not have delivered the message.
            result.Status = SmtpDeliveryStatus.Unknown;
            if (Narrating)
            {
                Narrate($"C: . ({result.BytesSent} octets sent)");
            }

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

        /// <summary>One command of a transaction, before it is sent.</summary>
        private sealed class Command
        {
            public Command(string line, SmtpStage stage, string? path)
            {
                Line = line;
                Stage = stage;
                Path = path;
            }

            public string Line { get; }

            public SmtpStage Stage { get; }

            public string? Path { get; }
        }

        /// <summary>A message whose final dot went out but whose reply has not been read yet (PIPELINING).</summary>
        private sealed class PendingEndOfData
        {
            public PendingEndOfData(SmtpMessageResult result, Stopwatch timer)
            {
                Result = result;
                Timer = timer;
            }

            public SmtpMessageResult Result { get; }

            public Stopwatch Timer { get; }
        }

        /// <summary>
        /// The commands of one transaction: with PIPELINING all written at once (RFC 2920 3.1; a small
        /// BDAT message with them), their replies then read one by one in order; without it, each sent
        /// only when the previous one was answered.
        /// </summary>
        private sealed class CommandGroup
        {
            private readonly SmtpSession _session;
            private readonly List<Command> _commands;
            private readonly bool _pipelined;
            private readonly Stopwatch _timer = new Stopwatch();
            private int _next;

            public CommandGroup(SmtpSession session, List<Command> commands, bool pipelined, ChunkedContent? chunk)
            {
                _session = session;
                _commands = commands;
                _pipelined = pipelined;
                if (!pipelined)
                {
                    return;
                }

                // Bytes waiting now are unsolicited, unless a reply is still owed for the previous message.
                if (session._pending == null && (session._reader.HasBufferedInput || session._transport.HasPendingInput))
                {
                    throw new SmtpProtocolException(
                        "The server sent data nobody asked for before the next transaction; replies could no longer be matched to commands.",
                        commands[0].Stage);
                }

                var bytes = new List<byte>();
                foreach (Command command in commands)
                {
                    bytes.AddRange(CommandLine.Encode(command.Line));
                    if (session.Narrating)
                    {
                        session.Narrate("C: " + command.Line);
                    }

                }

                if (chunk != null)
                {
                    bytes.AddRange(chunk.Bytes);
                    session.Narrate($"C: BDAT {chunk.Length} LAST ({chunk.Length} octets of content)");
                    _commands.Add(new Command($"BDAT {chunk.Length} LAST", SmtpStage.EndOfData, commands[commands.Count - 1].Path));
                }

                byte[] write = bytes.ToArray();
                _timer.Start();
                session._transport.Write(write, 0, write.Length, Deadline.After(session._timeouts.MailFrom, commands[0].Stage));
                if (chunk != null)
                {
                    chunk.Result.BytesSent = chunk.Length;
                    chunk.Result.Status = SmtpDeliveryStatus.Unknown;
                }
            }

            /// <summary>The reply to the next command: sent now (one at a time), or already on its way (pipelined).</summary>
            public SmtpReply Next()
            {
                Command command = _commands[_next++];
                if (!_pipelined)
                {
                    return _session.Exchange(command.Line, command.Stage, command.Path);
                }

                return _session.ReadReply(Deadline.After(_session._timeouts.For(command.Stage), command.Stage), command.Line,
                    command.Stage, command.Path, _timer);
            }

            /// <summary>True while pipelined commands still owe their replies.</summary>
            public bool OwesReplies => _pipelined && _next < _commands.Count;

            /// <summary>
            /// Before QUIT, after the caller stopped mid-transaction: reads the replies still owed. A 354 means
            /// the server waits for content that must not come (a lone dot would deliver an empty message),
            /// so the connection is closed instead: the message is not delivered either way.
            /// </summary>
            public bool DrainBeforeQuit()
            {
                while (OwesReplies)
                {
                    if (Next().Code == 354)
                    {
                        return false;
                    }
                }

                return true;
            }

            /// <summary>After a refusal, the replies to the commands already sent: read (and shown), never paired with later ones.</summary>
            public void Drain()
            {
                while (_pipelined && _next < _commands.Count)
                {
                    SmtpReply reply = Next();
                    if (reply.Code == 354)
                    {
                        // DATA was accepted although MAIL was not: end it with nothing in it.
                        _session._transport.Write(EndOfDataOnly, 0, EndOfDataOnly.Length, Deadline.After(_session._timeouts.DataBlock, SmtpStage.Content));
                        _session.ReadReply(Deadline.After(_session._timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)",
                            SmtpStage.EndOfData, reply.Path, Stopwatch.StartNew());
                    }
                }
            }
        }
    }
}
