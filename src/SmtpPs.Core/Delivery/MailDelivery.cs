using System;
using System.Collections.Generic;
using System.IO;
using System.Threading;
using SmtpPs.Content;
using SmtpPs.Logging;
using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>
    /// The delivery policy of a batch: messages (content and envelope) come in one by one; this opens the
    /// session when the first needs it, runs each message's transaction, and decides what becomes of
    /// every message: exactly one outcome each, reported in the order they came, after the replies that
    /// decided it. After a fault the session is over: the messages it cut short are settled (Unknown when
    /// the end of a message was sent and not answered), the fault is reported once, and later messages are
    /// not sent, each with its reason. Content that could not be sent, or changed while it was sent,
    /// concerns that message alone: the next one goes on a new session.
    /// </summary>
    internal sealed class MailDelivery : IDisposable
    {
        private readonly SessionOptions _options;
        private readonly IDeliveryObserver _observer;
        private readonly ProtocolLog _log;
        private readonly CancellationToken _cancellation;
        private readonly List<SmtpMessageResult> _results = new List<SmtpMessageResult>();
        private readonly HashSet<SmtpMessageResult> _reported = new HashSet<SmtpMessageResult>();
        private SmtpSession? _session;
        private string? _endedBecause;

        public MailDelivery(SessionOptions options, IDeliveryObserver observer, ProtocolLog log, CancellationToken cancellation)
        {
            _options = options;
            _observer = observer;
            _log = log;
            _cancellation = cancellation;
            ServerName = $"{options.Server}:{options.Port}";
        }

        /// <summary>"host:port" as the user named it.</summary>
        public string ServerName { get; }

        /// <summary>Sends one message (or, with PIPELINING, puts it on its way: its outcome may come with the next one).</summary>
        public void Submit(MessageContent content, Envelope envelope)
        {
            var result = new SmtpMessageResult(content.Name, ServerName, envelope.From);
            _results.Add(result);
            if (_endedBecause != null)
            {
                result.Reason = $"It was not sent: {_endedBecause}";
                Report(result);
                return;
            }

            try
            {
                _session ??= SmtpSession.Open(_options, _observer, _log, _cancellation);
                if (!_options.GoesPast(SmtpQuitAfter.Auth))
                {
                    result.Status = SmtpDeliveryStatus.Checked; // the session went as far as asked; no transaction
                    Report(result);
                    return;
                }

                SmtpMessageResult? earlier = _session.Begin(content, envelope, result);
                if (earlier != null)
                {
                    Report(earlier);
                }

                if (_session.Complete())
                {
                    Report(result);
                }
            }
            catch (ContentRefusedException e)
            {
                // The server refused the message while it was sent and stopped reading: the reply says why.
                result.FinalReply = e.Reply;
                result.Problems.Add(MessageProblem.Refused(e.Reply,
                    $"The server refused '{content.Name}' while it was being sent ({e.Message.TrimEnd('.')}); it was not delivered."));
                EndSession(new SmtpSessionRejectedException(e.Reply, "The server refused a message while it was sent and stopped reading"), result);
            }
            catch (Exception e) when (e is ContentException || e is IOException || e is UnauthorizedAccessException)
            {
                // This message's content, not the server, stopped it; the connection was closed before the
                // end of the message, so nothing of it was delivered, and the next message gets a new session.
                result.Status = SmtpDeliveryStatus.NotDelivered;
                result.Problems.Add(e is ContentException content1 ? MessageProblem.BadContent(content1) : MessageProblem.Unreadable(e));
                result.Reason = result.Problems[result.Problems.Count - 1].Explanation;
                SmtpMessageResult? owed = _session?.Abandon();
                _session = null;
                if (owed != null)
                {
                    Report(owed);
                }

                Report(result);
            }
            catch (SmtpException e)
            {
                EndSession(e, result);
            }
        }

        /// <summary>
        /// A message the caller could not prepare (its file is missing, its content is refused, its envelope
        /// is bad): it gets its outcome in its place in the order, after any earlier one still owed.
        /// </summary>
        public void Reject(string name, string from, MessageProblem problem)
        {
            var result = new SmtpMessageResult(name, ServerName, from) { Reason = problem.Explanation };
            result.Problems.Add(problem);
            SettleOwed();
            _results.Add(result);
            Report(result);
        }

        /// <summary>The end of the batch: the last outcome still owed, then QUIT.</summary>
        public void Complete()
        {
            if (_session == null)
            {
                return;
            }

            try
            {
                SmtpReply? refused = _session.Quit(Report);
                if (refused != null)
                {
                    _observer.OnSessionEnded(new SessionEnd(refused, "The server did not accept QUIT; the messages above are settled either way.", _results));
                }
            }
            catch (SmtpException e)
            {
                EndSession(e, null);
            }
            finally
            {
                _session?.Dispose();
                _session = null;
            }
        }

        /// <summary>
        /// The batch was cut short (an error the caller stops on, the pipeline stopping, Ctrl+C): end the
        /// session as politely as its state allows; nothing more is reported.
        /// </summary>
        public void Dispose()
        {
            SmtpSession? session = _session;
            _session = null;
            if (session == null)
            {
                return;
            }

            try
            {
                if (!_cancellation.IsCancellationRequested)
                {
                    session.Quit();
                }
            }
            catch (SmtpException)
            {
            }
            finally
            {
                session.Dispose();
            }
        }

        private void SettleOwed()
        {
            if (_session == null)
            {
                return;
            }

            try
            {
                SmtpMessageResult? earlier = _session.SettleOwed();
                if (earlier != null)
                {
                    Report(earlier);
                }
            }
            catch (SmtpException e)
            {
                EndSession(e, null);
            }
        }

        /// <summary>
        /// A fault or a refusal ended the session: settle the messages it cut short, say once why, and let
        /// no later message be sent.
        /// </summary>
        private void EndSession(SmtpException fault, SmtpMessageResult? current)
        {
            SmtpMessageResult? owed = _session?.Abandon();
            _session = null;
            var rejected = fault as SmtpSessionRejectedException;
            _endedBecause = rejected != null
                ? $"the server ended the session ({rejected.Reply.Code} {rejected.Reply.Text})."
                : $"the session had ended ({fault.Message.TrimEnd('.')}).";
            _log.Error(fault.Message);

            if (owed != null)
            {
                owed.Reason = $"The connection failed after the end of the message was sent, before the server answered: it may have been delivered ({fault.Message.TrimEnd('.')}).";
                Report(owed);
            }

            if (current != null && !_reported.Contains(current))
            {
                if (rejected != null && AlreadyReported(rejected.Reply))
                {
                    // An earlier message's reply ended the session before this one began.
                    current.Reason = $"It was not sent: {_endedBecause}";
                }
                else if (rejected != null)
                {
                    current.FinalReply ??= rejected.Reply;
                    current.Problems.Add(MessageProblem.Refused(rejected.Reply, rejected.Message.TrimEnd('.') + "."));
                }

                if (current.Reason.Length == 0)
                {
                    current.Reason = current.Status == SmtpDeliveryStatus.Unknown
                        ? $"The connection failed after the end of the message was sent, before the server answered: it may have been delivered ({fault.Message.TrimEnd('.')})."
                        : $"It was not delivered: {fault.Message}";
                }

                Report(current);
            }

            if (rejected == null)
            {
                _observer.OnSessionEnded(new SessionEnd(fault, ServerName, _results));
            }
        }

        /// <summary>True when a reply was already reported as the problem of a message (a 421 that ended a transaction, say).</summary>
        private bool AlreadyReported(SmtpReply reply)
        {
            for (int i = _results.Count - 1; i >= 0 && i >= _results.Count - 3; i--)
            {
                foreach (MessageProblem problem in _results[i].Problems)
                {
                    if (ReferenceEquals(problem.Reply, reply))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        private void Report(SmtpMessageResult result)
        {
            if (_reported.Add(result))
            {
                _observer.OnOutcome(result);
            }
        }
    }
}
