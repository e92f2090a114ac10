using System;
using System.Diagnostics;
using System.Threading;
using SmtpPs.Content;
using SmtpPs.Logging;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>
    /// One SMTP session (RFC 5321): the greeting, EHLO (HELO on 500/502), STARTTLS and AUTH as the
    /// options say, any number of mail transactions, QUIT. It knows nothing of PowerShell and decides
    /// nothing about a batch: it reports every reply to its sink, records each message's outcome in its
    /// result, and throws <see cref="SmtpException"/>s for faults. After a fault the connection is closed;
    /// after a refused transaction it stays usable, and the next transaction starts with RSET.
    /// </summary>
    internal sealed class SmtpSession : IDisposable
    {
        private readonly CancellationTokenRegistration _cancellation;
        private MailTransaction? _current;
        private MailTransaction? _owed;
        private SmtpReply? _endedBy;
        private bool _dsnWarned;

        private SmtpSession(SmtpChannel channel, SessionOptions options, IDialogueSink sink, CancellationToken cancellation)
        {
            Channel = channel;
            Options = options;
            Writer = new ContentWriter(channel, sink);

            // Ctrl+C at any point of the session, even before Open returns, closes the socket at once.
            _cancellation = cancellation.Register(channel.Abort);
        }

        /// <summary>"host:port" as the user named it.</summary>
        public string ServerName => Channel.ServerName;

        /// <summary>The address the connection went to.</summary>
        public System.Net.IPEndPoint RemoteEndPoint => Channel.RemoteEndPoint;

        public ServerCapabilities Capabilities { get; private set; } = ServerCapabilities.None;

        /// <summary>The reply with which the server ended the session (a 421), or null.</summary>
        public SmtpReply? EndedBy => _endedBy;

        /// <summary>True once the server ended the session (a 421), or a fault closed it.</summary>
        public bool HasEnded => _endedBy != null || Channel.IsClosed;

        internal SmtpChannel Channel { get; }

        internal SessionOptions Options { get; }

        internal ContentWriter Writer { get; }

        /// <summary>RSET before the next transaction: the last one may have left the server in one.</summary>
        internal bool ResetFirst { get; set; }

        /// <summary>MAIL was accepted and the transaction not ended: QUIT is preceded by RSET.</summary>
        internal bool TransactionOpen { get; set; }

        /// <summary>
        /// Connects, reads the greeting, introduces the client, and then, as the options say, starts TLS
        /// and authenticates: everything a transaction needs before MAIL FROM.
        /// </summary>
        public static SmtpSession Open(SessionOptions options, IDialogueSink sink, ProtocolLog log, CancellationToken cancellation)
        {
            var connecting = Stopwatch.StartNew();
            SmtpTransport transport = options.Addresses != null
                ? SmtpTransport.Connect(options.Server, options.Addresses, options.Port, options.Timeouts.Connect, log.Event, cancellation)
                : SmtpTransport.Connect(options.Server, options.Port, options.Timeouts.Connect, log.Event, cancellation);
            var channel = new SmtpChannel(transport, options.Timeouts, log, sink, $"{options.Server}:{options.Port}");
            var session = new SmtpSession(channel, options, sink, cancellation);
            try
            {
                session.Guard(() => new SessionOpening(session).Run(connecting));
                return session;
            }
            catch
            {
                session.Dispose();
                throw;
            }
        }

        /// <summary>
        /// Starts a transaction for one message: checks it against what the server offers, and puts its
        /// commands on their way. Returns the earlier message whose owed reply this had to read first (its
        /// outcome is final now), or null; the caller reports it before calling <see cref="Complete"/>, so
        /// that outcomes come out in order.
        /// </summary>
        public TransactionOutcome? Begin(TransactionOutcome outcome)
        {
            ThrowIfEnded();
            MessageContent content = outcome.Content;
            Envelope envelope = outcome.Envelope;
            var transaction = new MailTransaction(this, content, envelope, outcome);
            _current = transaction;
            EsmtpParameters? parameters = MailParameters.For(content, envelope, Capabilities, Options, UsesDsn(), ServerName, out MessageProblem? notSent);
            if (notSent != null)
            {
                transaction.Refuse(notSent);
                return SettleOwed();
            }

            Guard(() => transaction.SendCommands(ResetFirst, parameters!, _owed != null));
            ResetFirst = true; // until the transaction ends well
            return SettleOwed();
        }

        /// <summary>Runs the rest of the transaction begun last; true when its outcome is final, false when the reply to its end is owed.</summary>
        public bool Complete()
        {
            MailTransaction transaction = _current!;
            if (transaction.IsFinal)
            {
                _current = null;
                return true;
            }

            ThrowIfEnded();
            bool final = Guard(transaction.Run);
            _current = null;
            if (!final)
            {
                _owed = transaction;
            }

            return final;
        }

        /// <summary>Reads the reply owed for an earlier message's end, now; returns that message, or null when none was owed.</summary>
        public TransactionOutcome? SettleOwed()
        {
            MailTransaction? owed = _owed;
            if (owed == null || HasEnded)
            {
                return null;
            }

            Guard(owed.SettleEnd);
            _owed = null;
            return owed.Outcome;
        }

        /// <summary>
        /// Ends the session politely: RSET when -QuitAfter left a transaction open, QUIT, then close. A
        /// reply still owed for the last message is read first and that message handed to
        /// <paramref name="settled"/> before the reply to QUIT is read; with PIPELINING, QUIT goes out right
        /// behind it, so the last message costs no round trip of its own. Returns the reply to QUIT when it
        /// was not 221 (the messages are settled either way), else null.
        /// </summary>
        public SmtpReply? Quit(Action<TransactionOutcome>? settled = null)
        {
            if (HasEnded)
            {
                Close();
                return null;
            }

            try
            {
                return Guard(() =>
                {
                    var quit = SmtpCommand.Of("QUIT", SmtpStage.Quit);
                    var timer = Stopwatch.StartNew();
                    bool quitSent = false;
                    if (_owed != null)
                    {
                        MailTransaction owed = _owed;
                        if (Capabilities.Pipelining)
                        {
                            Channel.Send(new[] { quit });
                            quitSent = true;
                        }

                        owed.SettleEnd();
                        _owed = null;
                        settled?.Invoke(owed.Outcome);
                    }

                    if (!quitSent)
                    {
                        if (_current != null && !_current.DrainBeforeQuit())
                        {
                            return null; // content is awaited and must not come: hang up (finally) instead of QUIT
                        }

                        if (TransactionOpen)
                        {
                            Expect.Code(Channel.Exchange(SmtpCommand.Of("RSET", SmtpStage.Reset)), 250);
                        }

                        Channel.ThrowIfUnaskedInput("'QUIT'", SmtpStage.Quit);
                        Channel.Send(new[] { quit });
                    }

                    SmtpReply reply = Channel.Read(quit, timer);
                    return Expect.Code(reply, 221) ? null : reply;
                });
            }
            finally
            {
                Close();
            }
        }

        /// <summary>Closes at once without a word. Returns the message whose end was sent but not answered: its outcome stays Unknown.</summary>
        public TransactionOutcome? Abandon()
        {
            MailTransaction? owed = _owed;
            _owed = null;
            Close();
            return owed?.Outcome;
        }

        public void Dispose() => Close();

        /// <summary>
        /// The server ended the session with <paramref name="reply"/> (a 421 at any point, RFC 5321 3.8):
        /// close without QUIT. Later calls throw <see cref="SmtpSessionRejectedException"/>.
        /// </summary>
        internal void MarkEnded(SmtpReply reply)
        {
            _endedBy = reply;
            Close();
        }

        /// <summary>
        /// A refusal that ends the session: 421 means the server is closing, so just close (RFC 5321 3.8);
        /// after anything else say QUIT first (4.3.1 for a 554 greeting). Returns the exception to throw.
        /// </summary>
        internal SmtpSessionRejectedException End(SmtpReply reply, string explanation)
        {
            if (!ReplyClass.IsServiceClosing(reply.Code))
            {
                TryQuit();
            }

            MarkEnded(reply);
            return new SmtpSessionRejectedException(reply, explanation);
        }

        /// <summary>A requirement that cannot be met (TLS, AUTH): QUIT politely, close, and return <paramref name="failure"/> to throw.</summary>
        internal SmtpException Fail(SmtpException failure)
        {
            TryQuit();
            Close();
            return failure;
        }

        internal void LearnCapabilities(SmtpReply ehlo)
        {
            Capabilities = ServerCapabilities.FromEhlo(ehlo);
            Channel.EnhancedStatusCodes = Capabilities.EnhancedStatusCodes;
            Channel.Log.Event(Capabilities.Describe());
        }

        /// <summary>RFC 3207 4.2: after the handshake, everything learnt before TLS is forgotten until EHLO is sent again.</summary>
        internal void ForgetCapabilities()
        {
            Capabilities = ServerCapabilities.None;
            Channel.EnhancedStatusCodes = false;
        }

        /// <summary>RCPT parameters for DSN (RFC 3461 4.1, 4.2): NOTIFY, and ORCPT for an ASCII address.</summary>
        internal EsmtpParameters RcptParameters(string recipient) => UsesDsn() ? MailParameters.ForRecipient(recipient, Options) : EsmtpParameters.None;

        /// <summary>True when DSN parameters are wanted and the server offers DSN; warns once when it does not.</summary>
        internal bool UsesDsn()
        {
            if (!Options.WantsDsn)
            {
                return false;
            }

            if (Capabilities.Dsn)
            {
                return true;
            }

            if (!_dsnWarned)
            {
                _dsnWarned = true;
                Channel.Log.Warning($"{ServerName} does not offer DSN (RFC 3461): the messages go without delivery notification requests, return-content choice and envelope id.");
            }

            return false;
        }

        private void ThrowIfEnded()
        {
            if (_endedBy != null)
            {
                throw new SmtpSessionRejectedException(_endedBy, "The server ended the session");
            }

            if (Channel.IsClosed)
            {
                throw new InvalidOperationException("The session is closed.");
            }
        }

        private void TryQuit()
        {
            try
            {
                Expect.Code(Channel.Exchange(SmtpCommand.Of("QUIT", SmtpStage.Quit)), 221);
            }
            catch (SmtpException e)
            {
                Channel.Log.Event("QUIT after the refusal failed too: " + e.Message);
            }
        }

        private void Guard(Action step) => Guard(() =>
        {
            step();
            return true;
        });

        /// <summary>
        /// A fault of the dialogue leaves the connection untrustworthy: close it, and abandon the owed
        /// reply with it. A failure of the sink between replies (the caller stopping) leaves the session
        /// to the caller, who can still QUIT politely.
        /// </summary>
        private T Guard<T>(Func<T> step)
        {
            try
            {
                return step();
            }
            catch (SmtpSessionRejectedException)
            {
                throw;
            }
            catch (Exception e) when (e is SmtpException || e is OperationCanceledException || e is ContentException || e is ContentRefusedException)
            {
                Close();
                throw;
            }
        }

        private void Close()
        {
            _cancellation.Dispose();
            Channel.Dispose();
        }
    }
}
