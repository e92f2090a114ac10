using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using SmtpPs.Content;
using SmtpPs.Logging;
using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>
    /// The delivery policy of a batch. Messages (content and envelope) come in one by one; this splits each
    /// message's recipients by route (one relay, or each domain's MX hosts), opens and reuses the sessions,
    /// runs the transactions (a further one on the same session for recipients refused with 452), and
    /// decides what becomes of every recipient and every message. A transient failure (no connection, 421,
    /// 4xx) is tried again, when retries were asked for, once the input has ended, after a wait that doubles
    /// each round; a permanent one (5xx) never is, nor a message whose outcome is Unknown unless that was
    /// asked for and it has a Message-ID. Each message gets exactly one outcome, reported after the replies
    /// that decided it; a fault is reported once, with the first message it cut short.
    /// </summary>
    internal sealed class MailDelivery : IDisposable
    {
        private readonly DeliveryOptions _options;
        private readonly DeliveryRoute _route;
        private readonly IDeliveryObserver _observer;
        private readonly ProtocolLog _log;
        private readonly CancellationToken _cancellation;
        private readonly List<SmtpMessageResult> _results = new List<SmtpMessageResult>();
        private readonly HashSet<SmtpMessageResult> _reported = new HashSet<SmtpMessageResult>();
        private readonly Dictionary<string, SmtpSession> _sessions = new Dictionary<string, SmtpSession>(StringComparer.OrdinalIgnoreCase);
        private readonly Dictionary<string, string> _ended = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        private List<Flight> _deferred = new List<Flight>();

        public MailDelivery(DeliveryOptions options, IDeliveryObserver observer, ProtocolLog log, CancellationToken cancellation)
        {
            _options = options;
            _route = DeliveryRoute.For(options);
            _observer = observer;
            _log = log;
            _cancellation = cancellation;
        }

        private SessionOptions Session => _options.Session;

        /// <summary>Sends one message (or puts it on its way: with PIPELINING its outcome may come with the next one).</summary>
        public void Submit(MessageContent content, Envelope envelope)
        {
            var result = new SmtpMessageResult(content.Name, Describe(envelope.To), envelope.From);
            _results.Add(result);
            var flight = new Flight(content, envelope, result);
            Attempt(flight);
        }

        /// <summary>
        /// A message the caller could not prepare (its file is missing, its content is refused, its envelope
        /// is bad): it gets its outcome in its place in the order, after any earlier one still owed.
        /// </summary>
        public void Reject(string name, string from, MessageProblem problem)
        {
            var result = new SmtpMessageResult(name, _options.MxRouting ? string.Empty : _route.Describe(string.Empty), from) { Reason = problem.Explanation };
            result.Problems.Add(problem);
            SettleAllOwed();
            _results.Add(result);
            Report(result);
        }

        /// <summary>The end of the input: the outcomes still owed, the retry rounds, then QUIT on every session.</summary>
        public void Complete()
        {
            if (_options.MaxRetries > 0)
            {
                // Whether the last messages need a retry is known only once their owed replies are read; without
                // retries QUIT goes right behind them instead (one round trip less).
                SettleAllOwed();
            }

            for (int round = 1; _deferred.Count > 0; round++)
            {
                List<Flight> due = _deferred;
                _deferred = new List<Flight>();
                TimeSpan wait = _options.WaitBefore(round);

                // A retry is a fresh start: the sessions end now, and a wait follows that a server would not hold a session open for.
                QuitAll();
                _ended.Clear();
                if (_options.RetryUntil is DateTime until && DateTime.UtcNow + wait > until)
                {
                    // The caller's deadline comes before this round could start: what failed for now stays as it is.
                    _log.Warning($"{due.Count} message(s) not delivered yet because of a transient failure are not tried again: retry {round} would start at {DateTime.UtcNow + wait:u}, after the retry deadline {until:u}.");
                    foreach (Flight flight in due)
                    {
                        flight.OutOfTime = true;
                        Conclude(flight);
                    }

                    break;
                }

                _log.Warning($"{due.Count} message(s) not delivered yet because of a transient failure; trying again in {wait.TotalSeconds:0.###} s (retry {round} of {_options.MaxRetries}).");
                if (_cancellation.WaitHandle.WaitOne(wait))
                {
                    _cancellation.ThrowIfCancellationRequested();
                }

                foreach (Flight flight in due)
                {
                    Attempt(flight);
                }

                SettleAllOwed();
            }

            QuitAll();
        }

        /// <summary>
        /// The batch was cut short (an error the caller stops on, the pipeline stopping, Ctrl+C): end the
        /// sessions as politely as their state allows; nothing more is reported.
        /// </summary>
        public void Dispose()
        {
            foreach (SmtpSession session in _sessions.Values.ToList())
            {
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

            _sessions.Clear();
        }

        /// <summary>One attempt at every recipient of <paramref name="flight"/> not yet decided.</summary>
        private void Attempt(Flight flight)
        {
            flight.Attempt++;
            flight.Result.Attempts = flight.Attempt;
            flight.Attempting = true;
            try
            {
                foreach (KeyValuePair<string, List<string>> group in _route.Split(flight.Pending.Select(r => r.Address).ToList()))
                {
                    Leg(flight, group.Key, group.Value);
                }
            }
            finally
            {
                flight.Attempting = false;
            }

            if (flight.Open == 0)
            {
                Conclude(flight);
            }
        }

        /// <summary>One transaction for the recipients of <paramref name="flight"/> that share the session <paramref name="key"/>.</summary>
        private void Leg(Flight flight, string key, List<string> recipients)
        {
            if (_ended.TryGetValue(key, out string? ended))
            {
                // The session ended for this batch (no reconnect within a round: a 421 means "go away").
                Decide(flight, key, recipients, transient: true, problem: null, reason: $"It was not sent: {ended}");
                return;
            }

            SmtpSession session;
            try
            {
                session = SessionFor(key);
            }
            catch (SmtpException e)
            {
                OpenFailed(flight, key, recipients, e);
                return;
            }

            if (!Session.GoesPast(SmtpQuitAfter.Auth))
            {
                foreach (string address in recipients)
                {
                    RecipientState state = flight.Recipient(address);
                    state.Status = SmtpDeliveryStatus.Checked;
                    state.Final = true;
                    state.Server = session.ServerName;
                }

                return; // the session went as far as asked; no transaction
            }

            var outcome = new TransactionOutcome(flight.Content, new Envelope(flight.Envelope.From, recipients), session.ServerName, flight);
            flight.Open++;
            try
            {
                TransactionOutcome? earlier = session.Begin(outcome);
                if (earlier != null)
                {
                    Settled(earlier);
                }

                bool final = session.Complete();
                if (final)
                {
                    Settled(outcome);
                }
                else if (_options.MxRouting)
                {
                    // With several sessions in play, each leg is settled at once, so that a message's outcome
                    // never waits for another domain's next transaction.
                    Settled(session.SettleOwed()!);
                }

                // RFC 5321 4.5.3.1.10: recipients refused with 452 (too many) go in a further transaction on
                // the same connection, as long as the last one took some.
                if (session.HasEnded)
                {
                    // The server closed it (a 421): no other message goes over this route in this round.
                    _ended[key] = session.EndedBy is SmtpReply closing
                        ? $"the server ended the session ({closing.Code} {closing.Text})."
                        : "the session had ended.";
                    _sessions.Remove(key);
                    return;
                }

                List<string> tooMany = outcome.Recipients.Where(r => r.TooMany).Select(r => r.Address).ToList();
                if (tooMany.Count > 0 && outcome.Recipients.Any(r => r.Accepted) && !Session.RequireAllRecipients)
                {
                    _log.Event($"The server took {outcome.Recipients.Count(r => r.Accepted)} recipient(s) of '{flight.Content.Name}' and asked for the other {tooMany.Count} in another transaction (452).");
                    Leg(flight, key, tooMany);
                }
            }
            catch (ContentRefusedException e)
            {
                outcome.FinalReply = e.Reply;
                outcome.Problems.Add(MessageProblem.Refused(e.Reply,
                    $"The server refused '{flight.Content.Name}' while it was being sent ({e.Message.TrimEnd('.')}); it was not delivered."));
                EndSession(key, new SmtpSessionRejectedException(e.Reply, "The server refused a message while it was sent and stopped reading"), outcome);
            }
            catch (Exception e) when (e is ContentException || e is IOException || e is UnauthorizedAccessException)
            {
                // The message's own content stopped it; the connection was closed before the end of the
                // message, so nothing of it was delivered, and the next message gets a new session.
                MessageProblem problem = e is ContentException content ? MessageProblem.BadContent(content) : MessageProblem.Unreadable(e);
                outcome.Problems.Add(problem);
                outcome.Reason = problem.Explanation;
                DiscardSession(key);
                Settled(outcome, permanent: true);
            }
            catch (SmtpException e)
            {
                EndSession(key, e, outcome);
            }
        }

        private SmtpSession SessionFor(string key)
        {
            if (_sessions.TryGetValue(key, out SmtpSession? session) && !session.HasEnded)
            {
                return session;
            }

            session = _route.Open(key, _observer, _log, _cancellation);
            _sessions[key] = session;
            return session;
        }

        /// <summary>No session could be had: no route, no connection, a refused greeting or EHLO, TLS or AUTH failing.</summary>
        private void OpenFailed(Flight flight, string key, List<string> recipients, SmtpException e)
        {
            _ended[key] = EndedBecause(e);
            _log.Error(e.Message);
            bool transient = IsTransient(e);
            MessageProblem problem = e is SmtpSessionRejectedException rejected
                ? MessageProblem.Refused(rejected.Reply, rejected.Message.TrimEnd('.') + ".")
                : MessageProblem.Faulted(e);
            Decide(flight, key, recipients, transient, problem, $"It was not delivered: {e.Message}");
        }

        /// <summary>
        /// A fault or a refusal ended the session: the message whose end was sent and not answered stays
        /// Unknown, the one in progress is decided by how far it got, and the fault is reported once, with
        /// the first of them.
        /// </summary>
        private void EndSession(string key, SmtpException fault, TransactionOutcome current)
        {
            TransactionOutcome? owed = null;
            if (_sessions.TryGetValue(key, out SmtpSession? session))
            {
                owed = session.Abandon();
                _sessions.Remove(key);
            }

            _ended[key] = EndedBecause(fault);
            _log.Error(fault.Message);
            var rejected = fault as SmtpSessionRejectedException;
            bool reported = rejected != null && (AlreadyReported(rejected.Reply) || current.Problems.Any(p => ReferenceEquals(p.Reply, rejected.Reply)));
            foreach (TransactionOutcome outcome in owed == null ? new[] { current } : new[] { owed, current })
            {
                if (outcome.IsSettled)
                {
                    continue;
                }

                outcome.Fault = fault;
                if (!reported)
                {
                    outcome.Problems.Add(rejected != null
                        ? MessageProblem.Refused(rejected.Reply, rejected.Message.TrimEnd('.') + ".")
                        : MessageProblem.Faulted(fault));
                    reported = true;
                }

                if (outcome.Reason.Length == 0)
                {
                    outcome.Reason = outcome.Status == SmtpDeliveryStatus.Unknown
                        ? $"The connection failed after the end of the message was sent, before the server answered: it may have been delivered ({fault.Message.TrimEnd('.')})."
                        : outcome.Problems.Count > 0 && ReferenceEquals(outcome.Problems[outcome.Problems.Count - 1].Fault, fault) || rejected != null
                            ? $"It was not delivered: {fault.Message}"
                            : $"It was not sent: {EndedBecause(fault)}";
                }

                Settled(outcome);
            }
        }

        /// <summary>A transaction's outcome is final: what it means for each of its recipients.</summary>
        private void Settled(TransactionOutcome outcome, bool permanent = false)
        {
            if (outcome.IsSettled)
            {
                return;
            }

            outcome.IsSettled = true;
            var flight = (Flight)outcome.Owner!;
            flight.Open--;
            flight.LastOutcome = outcome;
            if (outcome.Status == SmtpDeliveryStatus.Delivered)
            {
                flight.LastDelivered = outcome;
            }

            flight.Result.AttemptLog.Add(new SmtpDeliveryAttempt
            {
                Attempt = flight.Attempt,
                Started = outcome.Started,
                Server = outcome.Server,
                Recipients = outcome.Envelope.To.ToArray(),
                Accepted = outcome.Accepted.ToArray(),
                Status = outcome.Status,
                FinalReply = outcome.FinalReply ?? outcome.Recipients.LastOrDefault(r => !r.Accepted)?.Reply,
                QueueId = outcome.QueueId,
                Reason = outcome.Reason.Length > 0 || outcome.Status == SmtpDeliveryStatus.Delivered || outcome.Accepted.Any()
                    ? outcome.Reason
                    : "The server refused every recipient.",
            });

            MessageProblem? shared = outcome.Problems.FirstOrDefault(p => p.Kind != MessageProblemKind.RecipientRefused);
            foreach (string address in outcome.Envelope.To)
            {
                RecipientState state = flight.Recipient(address);
                if (state.Final)
                {
                    continue;
                }

                state.Attempts++;
                state.Server = outcome.Server;
                RecipientOutcome? rcpt = outcome.Recipients.FirstOrDefault(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase));
                if (rcpt != null && rcpt.TooMany && outcome.Recipients.Any(r => r.Accepted) && !Session.RequireAllRecipients)
                {
                    continue; // goes in the further transaction on the same session
                }

                if (rcpt != null && !rcpt.Accepted)
                {
                    state.Accepted = false;
                    state.Reply = rcpt.Reply;
                    state.Problem = outcome.Problems.FirstOrDefault(p => p.Recipient == address) ?? shared;
                    state.Reason = $"The server refused it: {rcpt.Reply.Code} {rcpt.Reply.Text}";
                    state.Transient = !permanent && rcpt.Reply.IsTransient && !AnyRefusedForGood(outcome);
                    state.Final = !state.Transient;
                    continue;
                }

                if (rcpt != null && Session.RequireAllRecipients && outcome.Recipients.Any(r => !r.Accepted))
                {
                    // All or none: an accepted recipient waits for the others, and goes with them or not at all.
                    state.Accepted = true;
                    state.Reply = rcpt.Reply;
                    state.Reason = outcome.Reason;
                    state.Status = SmtpDeliveryStatus.NotDelivered;
                    state.Transient = !permanent && !AnyRefusedForGood(outcome);
                    state.Final = !state.Transient;
                    continue;
                }

                state.Accepted = rcpt != null;
                state.Reply = outcome.FinalReply;
                state.Problem = shared;
                state.Reason = outcome.Reason;
                state.Status = outcome.Status;
                switch (outcome.Status)
                {
                    case SmtpDeliveryStatus.Delivered:
                        state.QueueId = outcome.QueueId;
                        state.Final = true;
                        break;
                    case SmtpDeliveryStatus.Checked:
                        state.Final = true;
                        break;
                    case SmtpDeliveryStatus.Unknown:
                        state.MayHaveBeenDelivered = true;
                        state.Transient = !permanent && _options.RetryUnknown && flight.HasMessageId;
                        state.Final = !state.Transient;
                        break;
                    default:
                        state.Transient = !permanent && IsTransient(outcome);
                        state.Final = !state.Transient;
                        break;
                }
            }

            if (!flight.Attempting && flight.Open == 0)
            {
                Conclude(flight);
            }
        }

        /// <summary>With every recipient required, one refused for good means the message can never go.</summary>
        private bool AnyRefusedForGood(TransactionOutcome outcome) =>
            Session.RequireAllRecipients && outcome.Recipients.Any(r => !r.Accepted && !r.Reply.IsTransient);

        /// <summary>Recipients that no transaction reached this attempt (no session for them).</summary>
        private void Decide(Flight flight, string key, List<string> recipients, bool transient, MessageProblem? problem, string reason)
        {
            flight.Result.AttemptLog.Add(new SmtpDeliveryAttempt
            {
                Attempt = flight.Attempt,
                Started = DateTime.UtcNow,
                Server = _route.Describe(key),
                Recipients = recipients.ToArray(),
                Status = SmtpDeliveryStatus.NotDelivered,
                FinalReply = problem?.Reply,
                Reason = reason,
            });

            foreach (string address in recipients)
            {
                RecipientState state = flight.Recipient(address);
                state.Attempts++;
                state.Server = _route.Describe(key);
                state.Status = SmtpDeliveryStatus.NotDelivered;
                state.Accepted = false;
                state.Transient = transient;
                state.Final = !transient;
                state.Problem = problem;
                state.Reason = reason;
                if (problem?.Reply != null)
                {
                    state.Reply = problem.Reply;
                }
            }
        }

        /// <summary>
        /// Every transaction of this attempt is settled: try again later what failed transiently, while
        /// retries are left; otherwise the message's outcome is final and reported.
        /// </summary>
        private void Conclude(Flight flight)
        {
            if (flight.Concluded)
            {
                return;
            }

            List<RecipientState> transient = flight.Pending.Where(r => r.Transient).ToList();
            if (transient.Count > 0 && flight.Attempt <= _options.MaxRetries && !flight.OutOfTime)
            {
                if (transient.Any(r => r.Status == SmtpDeliveryStatus.Unknown))
                {
                    _log.Warning($"'{flight.Content.Name}' may have been delivered (no reply came to its end); it is sent again, as asked, and its Message-ID lets receivers drop a duplicate.");
                }

                _log.Event($"'{flight.Content.Name}': {transient.Count} recipient(s) failed for now ({transient[0].Reason.TrimEnd('.')}); it is tried again after the other messages.");
                _deferred.Add(flight);
                return;
            }

            foreach (RecipientState state in flight.Pending)
            {
                state.Final = true;
                if (state.MayHaveBeenDelivered && state.Status == SmtpDeliveryStatus.NotDelivered)
                {
                    // A retry failed, but the first try may have got through: that is what the result must say.
                    state.Status = SmtpDeliveryStatus.Unknown;
                }
            }

            if (_options.RetryUnknown && !flight.HasMessageId && flight.Attempt <= _options.MaxRetries &&
                flight.Recipients.Any(r => r.Status == SmtpDeliveryStatus.Unknown))
            {
                _log.Warning($"'{flight.Content.Name}' may have been delivered and has no Message-ID, by which a receiver could drop a duplicate: it is not sent again.");
            }

            flight.Concluded = true;
            Finish(flight);
            Report(flight.Result);
        }

        /// <summary>The message's result from its recipients' states and its last transactions.</summary>
        private void Finish(Flight flight)
        {
            SmtpMessageResult result = flight.Result;
            result.Recipients = flight.Recipients.Select(r => new SmtpRecipientResult(r.Address, r.Status)
            {
                Server = r.Server,
                Reply = r.Reply,
                QueueId = r.QueueId,
                Attempts = r.Attempts,
            }).ToList();
            result.AcceptedRecipients = flight.Recipients.Where(r => r.Accepted).Select(r => r.Address).ToList();
            result.RejectedRecipients = flight.Recipients.Where(r => !r.Accepted && r.Reply != null && r.Reply.Stage == SmtpStage.RcptTo).Select(r => r.Address).ToList();
            List<string> servers = flight.Recipients.Select(r => r.Server).Where(s => s.Length > 0).Distinct(StringComparer.OrdinalIgnoreCase).ToList();
            if (servers.Count > 0)
            {
                result.Server = string.Join(", ", servers);
            }

            result.Status = flight.Recipients.Any(r => r.Status == SmtpDeliveryStatus.Checked) ? SmtpDeliveryStatus.Checked
                : flight.Recipients.Any(r => r.Status == SmtpDeliveryStatus.Delivered) ? SmtpDeliveryStatus.Delivered
                : flight.Recipients.Any(r => r.Status == SmtpDeliveryStatus.Unknown) ? SmtpDeliveryStatus.Unknown
                : SmtpDeliveryStatus.NotDelivered;

            TransactionOutcome? deciding = flight.LastDelivered ?? flight.LastOutcome;
            if (deciding != null)
            {
                result.FinalReply = deciding.FinalReply ?? flight.Recipients.Select(r => r.Reply).LastOrDefault(r => r != null);
                result.QueueId = deciding.QueueId;
                result.BytesSent = deciding.BytesSent;
            }
            else
            {
                result.FinalReply = flight.Recipients.Select(r => r.Reply).LastOrDefault(r => r != null);
            }

            result.Reason = result.Status == SmtpDeliveryStatus.Delivered && flight.Recipients.All(r => r.Status == SmtpDeliveryStatus.Delivered)
                ? string.Empty
                : flight.Recipients.Where(r => r.Status != SmtpDeliveryStatus.Delivered).Select(r => r.Reason).FirstOrDefault(r => r.Length > 0)
                  ?? deciding?.Reason ?? string.Empty;

            // The problems of the final state, each once, in the order the recipients were given.
            var problems = new List<MessageProblem>();
            foreach (RecipientState state in flight.Recipients)
            {
                if (state.Status != SmtpDeliveryStatus.Delivered && state.Problem != null && !problems.Contains(state.Problem))
                {
                    problems.Add(state.Problem);
                }
            }

            result.Problems.Clear();
            result.Problems.AddRange(problems);
        }

        private void SettleAllOwed()
        {
            foreach (KeyValuePair<string, SmtpSession> pair in _sessions.ToList())
            {
                try
                {
                    TransactionOutcome? owed = pair.Value.SettleOwed();
                    if (owed != null)
                    {
                        Settled(owed);
                    }
                }
                catch (SmtpException e)
                {
                    EndSessionAtRest(pair.Key, e);
                }
            }
        }

        private void QuitAll()
        {
            foreach (KeyValuePair<string, SmtpSession> pair in _sessions.ToList())
            {
                try
                {
                    SmtpReply? refused = pair.Value.Quit(outcome => Settled(outcome));
                    if (refused != null)
                    {
                        _observer.OnSessionEnded(new SessionEnd(refused, "The server did not accept QUIT; the messages above are settled either way.", _results));
                    }
                }
                catch (SmtpException e)
                {
                    EndSessionAtRest(pair.Key, e);
                }
                finally
                {
                    pair.Value.Dispose();
                    _sessions.Remove(pair.Key);
                }
            }
        }

        /// <summary>A fault when no transaction was in progress (reading an owed reply, QUIT): reported on its own unless a message carries it.</summary>
        private void EndSessionAtRest(string key, SmtpException fault)
        {
            TransactionOutcome? owed = null;
            if (_sessions.TryGetValue(key, out SmtpSession? session))
            {
                owed = session.Abandon();
                session.Dispose();
                _sessions.Remove(key);
            }

            _ended[key] = EndedBecause(fault);
            _log.Error(fault.Message);
            if (owed != null)
            {
                owed.Fault = fault;
                owed.Problems.Add(MessageProblem.Faulted(fault));
                owed.Reason = $"The connection failed after the end of the message was sent, before the server answered: it may have been delivered ({fault.Message.TrimEnd('.')}).";
                Settled(owed);
                return;
            }

            _observer.OnSessionEnded(new SessionEnd(fault, _route.Describe(key), _results));
        }

        private void DiscardSession(string key)
        {
            if (_sessions.TryGetValue(key, out SmtpSession? session))
            {
                TransactionOutcome? owed = session.Abandon();
                _sessions.Remove(key);
                if (owed != null)
                {
                    Settled(owed);
                }
            }
        }

        /// <summary>
        /// What may pass when tried again (RFC 5321 4.2.1, 4.5.4.1): no connection, a timeout or a broken
        /// connection before the end of the message, a 4xx reply (421 included), a DNS lookup that failed.
        /// TLS, AUTH and protocol failures, refused routes and 5xx replies will fail the same way again.
        /// </summary>
        private static bool IsTransient(SmtpException e) => e switch
        {
            SmtpSessionRejectedException r => r.Reply.IsTransient,
            SmtpRouteException route => route.IsTransient,
            SmtpConnectionException c => !c.NameNotResolved,
            SmtpTimeoutException _ => true,
            _ => false,
        };

        private static bool IsTransient(TransactionOutcome outcome)
        {
            if (outcome.Fault != null)
            {
                return IsTransient(outcome.Fault);
            }

            if (outcome.Problems.Any(p => p.Kind == MessageProblemKind.NotSent || p.Kind == MessageProblemKind.Content ||
                                          p.Kind == MessageProblemKind.Unreadable))
            {
                return false;
            }

            return outcome.FinalReply != null && outcome.FinalReply.IsTransient;
        }

        private static string EndedBecause(SmtpException e) => e is SmtpSessionRejectedException rejected
            ? $"the server ended the session ({rejected.Reply.Code} {rejected.Reply.Text})."
            : $"the session had ended ({e.Message.TrimEnd('.')}).";

        private string Describe(IReadOnlyList<string> recipients) =>
            _options.MxRouting ? string.Join(", ", _route.Split(recipients).Select(g => _route.Describe(g.Key))) : _route.Describe(string.Empty);

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
