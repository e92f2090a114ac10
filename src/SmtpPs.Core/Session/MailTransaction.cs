using System.Collections.Generic;
using System.Linq;
using System.Diagnostics;
using System.Text;
using SmtpPs.Content;
using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>
    /// One mail transaction (RFC 5321 3.3): MAIL, RCPT, then the content after DATA's 354 or as BDAT
    /// chunks once a recipient was accepted. With PIPELINING (RFC 2920) its commands go in one write and
    /// their replies are read one by one, strictly in order; the reply to the end of its content may be
    /// left owed, to be read with the next transaction's replies, so that a batch costs one round trip
    /// per message. Content never reaches the server before the server accepted the transaction.
    /// </summary>
    internal sealed class MailTransaction
    {
        private static readonly byte[] EndOfDataOnly = Encoding.ASCII.GetBytes(".\r\n");

        private readonly SmtpSession _session;
        private readonly List<SmtpCommand> _commands = new List<SmtpCommand>();
        private readonly bool _pipelined;
        private readonly bool _chunking;
        private readonly Stopwatch _timer = new Stopwatch();
        private int _next;
        private bool _reset;
        private bool _dataAfterRecipients;
        private OwedReply? _owedEnd;

        public MailTransaction(SmtpSession session, MessageContent content, Envelope envelope, TransactionOutcome outcome)
        {
            _session = session;
            Content = content;
            Envelope = envelope;
            Outcome = outcome;
            _pipelined = session.Capabilities.Pipelining;
            _chunking = session.Capabilities.Chunking;
        }

        public MessageContent Content { get; }

        public Envelope Envelope { get; }

        public TransactionOutcome Outcome { get; }

        /// <summary>True when the outcome is final already (refused before anything was sent).</summary>
        public bool IsFinal { get; private set; }

        private string Name => Content.Name;

        private SmtpChannel Channel => _session.Channel;

        /// <summary>A transaction that ends before it starts: <paramref name="problem"/> says why; nothing is sent.</summary>
        public void Refuse(MessageProblem problem)
        {
            Outcome.Problems.Add(problem);
            Outcome.Reason = problem.Explanation;
            IsFinal = true;
        }

        /// <summary>
        /// Puts the commands on their way: with PIPELINING all of them in one write (RFC 2920 3.1); without
        /// it, each goes when the previous one was answered (<see cref="Next"/>).
        /// </summary>
        public void SendCommands(bool resetFirst, EsmtpParameters mailParameters, bool replyOwed)
        {
            _reset = resetFirst;
            if (resetFirst)
            {
                _commands.Add(SmtpCommand.Of("RSET", SmtpStage.Reset, Name));
            }

            _commands.Add(SmtpCommand.WithParameters(mailParameters, mailParameters.AppendTo(Envelope.MailCommand), SmtpStage.MailFrom, Name));
            if (_session.Options.GoesPast(SmtpQuitAfter.Mail))
            {
                foreach (string recipient in Envelope.To)
                {
                    EsmtpParameters rcpt = _session.RcptParameters(recipient);
                    _commands.Add(SmtpCommand.WithParameters(rcpt, rcpt.AppendTo(Envelope.RcptCommand(recipient)), SmtpStage.RcptTo, Name));
                }
            }

            // With every recipient required, DATA waits for the RCPT replies: a pipelined DATA answered 354
            // could not be taken back without delivering to the accepted recipients.
            _dataAfterRecipients = _session.Options.RequireAllRecipients;
            if (_session.Options.GoesPast(SmtpQuitAfter.Rcpt) && !_chunking && !_dataAfterRecipients)
            {
                _commands.Add(SmtpCommand.Of("DATA", SmtpStage.Data, Name));
            }

            if (!_pipelined)
            {
                return;
            }

            // Bytes waiting now are unsolicited, unless a reply is still owed for the previous message.
            if (!replyOwed)
            {
                Channel.ThrowIfUnaskedInput("the next transaction", SmtpStage.MailFrom);
            }

            _timer.Start();
            Channel.Send(_commands);
        }

        /// <summary>The rest of the transaction; true when its outcome is final, false when the reply to its end is owed.</summary>
        public bool Run()
        {
            if (_reset)
            {
                SmtpReply reset = Next();
                if (!Expect.Code(reset, 250))
                {
                    // A session whose RSET fails cannot be trusted with another transaction (RFC 5321 4.1.1.5).
                    Outcome.Problems.Add(MessageProblem.Refused(reset, $"The server refused RSET; '{Name}' and any later message were not sent."));
                    throw _session.End(reset, "The server refused RSET, so no later message can be sent");
                }

                _session.TransactionOpen = false;
            }

            SmtpReply mail = Next();
            if (!Expect.Code(mail, 250))
            {
                Refuse(mail, $"The server refused the sender <{Envelope.From}>; '{Name}' was not sent");
                DrainRefused();
                return true;
            }

            if (!_session.Options.GoesPast(SmtpQuitAfter.Mail))
            {
                Checked();
                return true;
            }

            foreach (string recipient in Envelope.To)
            {
                SmtpReply rcpt = Next();
                bool accepted = Expect.Code(rcpt, 250, 251);
                Outcome.Recipients.Add(new RecipientOutcome(recipient, accepted, rcpt));
                if (accepted)
                {
                    continue;
                }

                Outcome.Problems.Add(MessageProblem.RecipientRefused(rcpt, recipient, $"The server refused the recipient <{recipient}>"));
                if (ReplyClass.IsServiceClosing(rcpt.Code))
                {
                    Outcome.FinalReply = rcpt;
                    throw _session.End(rcpt, "The server is closing the connection, so no later message can be sent");
                }
            }

            if (!_session.Options.GoesPast(SmtpQuitAfter.Rcpt))
            {
                Checked();
                return true;
            }

            if (_dataAfterRecipients && Outcome.Recipients.Any(r => !r.Accepted))
            {
                // Every recipient or none: nothing more for this message; RSET comes before the next command.
                Outcome.Reason = $"Not every recipient was accepted, so '{Name}' was not sent to any.";
                _session.TransactionOpen = true;
                Channel.Log.Event(Outcome.Reason);
                return true;
            }

            if (!Outcome.Accepted.Any())
            {
                if (_pipelined && !_chunking && !_dataAfterRecipients)
                {
                    // DATA went out before the RCPT replies came back (RFC 2920 3.1); the server refuses it.
                    EndUnwantedData(Next());
                }

                Outcome.Reason = $"No recipient was accepted, so '{Name}' was not sent.";
                Channel.Log.Event($"No recipient accepted: '{Name}' not sent; the next transaction starts with RSET.");
                return true;
            }

            OwedReply end;
            if (_chunking)
            {
                OwedReply? last = _session.Writer.WriteChunks(Content, Outcome, _pipelined, out SmtpReply? refusal);
                if (refusal != null)
                {
                    Refuse(refusal, $"The server refused a chunk of '{Name}'; no more chunks were sent and it was not delivered");
                    return true;
                }

                end = last!;
            }
            else
            {
                SmtpReply data = _dataAfterRecipients ? Channel.Exchange(SmtpCommand.Of("DATA", SmtpStage.Data, Name)) : Next();
                if (!Expect.Code(data, 354))
                {
                    Refuse(data, $"The server refused DATA; '{Name}' was not sent");
                    return true;
                }

                var timer = Stopwatch.StartNew();
                _session.Writer.WriteData(Content, Outcome);
                end = new OwedReply("(end of data)", SmtpStage.EndOfData, Name, timer, Channel.Timeouts.EndOfData);
            }

            if (_pipelined)
            {
                // Read with the next transaction's replies or before QUIT: no round trip of its own. The end
                // of the content ends the transaction whatever its reply says, so the next one needs no RSET.
                _owedEnd = end;
                _session.ResetFirst = false;
                return false;
            }

            Conclude(_session.Writer.Read(end));
            _session.ResetFirst = Outcome.Status != SmtpDeliveryStatus.Delivered;
            return true;
        }

        /// <summary>
        /// -QuitAfter stopped the transaction on purpose, with MAIL accepted: the server holds it open until
        /// RSET, which goes before the next transaction or QUIT.
        /// </summary>
        private void Checked()
        {
            Outcome.Status = SmtpDeliveryStatus.Checked;
            _session.TransactionOpen = true;
        }

        /// <summary>Reads the reply owed for the end of the content and settles the message.</summary>
        public void SettleEnd()
        {
            OwedReply owed = _owedEnd!;
            _owedEnd = null;
            Conclude(_session.Writer.Read(owed));
        }

        /// <summary>
        /// Before QUIT, after the caller stopped in the middle of this transaction: reads the replies still
        /// owed. False when the server waits for content that must not come (a 354 was read: a lone dot
        /// would deliver an empty message): the connection must then be closed instead.
        /// </summary>
        public bool DrainBeforeQuit()
        {
            if (IsAwaitingContent(Channel.LastReply))
            {
                return false;
            }

            while (_pipelined && _next < _commands.Count)
            {
                if (IsAwaitingContent(Next()))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsAwaitingContent(SmtpReply? reply) => reply != null && reply.Stage == SmtpStage.Data && reply.Code == 354;

        /// <summary>The reply to the next command: already on its way (pipelined), or sent now and awaited.</summary>
        private SmtpReply Next()
        {
            SmtpCommand command = _commands[_next++];
            return _pipelined ? Channel.Read(command, _timer) : Channel.Exchange(command);
        }

        /// <summary>The reply to the end of the content (or BDAT LAST) settles the message: 250 delivered, else not.</summary>
        private void Conclude(SmtpReply end)
        {
            Outcome.FinalReply = end;
            if (!Expect.Code(end, 250))
            {
                Outcome.Status = SmtpDeliveryStatus.NotDelivered;
                Refuse(end, $"The server refused the message '{Name}' after receiving it; it was not delivered");
                return;
            }

            Outcome.Status = SmtpDeliveryStatus.Delivered;
            Outcome.Reason = string.Empty;
            Outcome.QueueId = QueueId.Parse(end.Text);
        }

        /// <summary>A refusal of the message; the session goes on unless the server is closing it (421, RFC 5321 3.8).</summary>
        private void Refuse(SmtpReply reply, string explanation)
        {
            Outcome.FinalReply = reply;
            Outcome.Problems.Add(MessageProblem.Refused(reply, explanation + "."));
            Outcome.Reason = explanation + ".";
            if (ReplyClass.IsServiceClosing(reply.Code))
            {
                _session.MarkEnded(reply);
            }
        }

        /// <summary>After a refused MAIL, the replies to the commands already sent: read (and shown), never paired with later ones.</summary>
        private void DrainRefused()
        {
            while (_pipelined && _next < _commands.Count && !_session.HasEnded)
            {
                EndUnwantedData(Next());
            }
        }

        /// <summary>
        /// A 354 the transaction did not want (DATA accepted though MAIL or every RCPT was not): the server
        /// now reads content, so end it with nothing in it, which it must refuse for want of recipients.
        /// </summary>
        private void EndUnwantedData(SmtpReply reply)
        {
            if (reply.Code != 354)
            {
                return;
            }

            Channel.WriteContent(EndOfDataOnly, 0, EndOfDataOnly.Length);
            Channel.Read("(end of data)", SmtpStage.EndOfData, Name, Stopwatch.StartNew(), Channel.Timeouts.EndOfData);
        }
    }
}
