using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using SmtpPs.Testing;

namespace SmtpPs
{
    /// <summary>
    /// A scripted fault of a test server: at a stage of the dialogue, for every occurrence or only the
    /// Nth ones, optionally only for matching senders or recipients, it replies, closes, greylists or
    /// waits. Scripted, never random, so that a test gives the same result every time.
    /// </summary>
    public sealed class SmtpTestFault
    {
        private readonly HashSet<string> _seenPairs = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
        private int _matches;
        private int _hits;

        public SmtpTestFault(SmtpStage stage, SmtpTestFaultAction action, int code = 0, IReadOnlyList<string>? text = null,
            TimeSpan delay = default, string? sender = null, string? recipient = null, IReadOnlyList<int>? occurrence = null)
        {
            if (stage == SmtpStage.Connect || stage == SmtpStage.Content)
            {
                throw new ArgumentException($"A fault cannot be set at the {stage} stage; use Greeting for the first reply and EndOfData for the reply to the content.", nameof(stage));
            }

            if (action == SmtpTestFaultAction.Greylist && stage != SmtpStage.RcptTo)
            {
                throw new ArgumentException("Greylisting refuses recipients: its stage is RcptTo.", nameof(stage));
            }

            if (recipient != null && stage != SmtpStage.RcptTo)
            {
                throw new ArgumentException("A recipient pattern only applies at the RcptTo stage.", nameof(recipient));
            }

            if (delay < TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(delay), "The delay cannot be negative.");
            }

            Stage = stage;
            Action = action;
            Code = code != 0 ? code : DefaultCode(action);
            Text = text != null && text.Count > 0 ? text.ToArray() : new[] { DefaultText(action, Code) };
            if (Action == SmtpTestFaultAction.Reply || Action == SmtpTestFaultAction.Greylist)
            {
                if (Code < 200 || Code > 599)
                {
                    throw new ArgumentOutOfRangeException(nameof(code), code, "A reply code has three digits, 200 to 599.");
                }
            }

            foreach (string line in Text)
            {
                if (line.IndexOfAny(new[] { '\r', '\n', '\0' }) >= 0)
                {
                    throw new ArgumentException("Reply text cannot contain CR, LF or NUL: give each line as its own string.", nameof(text));
                }
            }

            Delay = delay;
            Sender = sender;
            Recipient = recipient;
            Occurrence = occurrence?.ToArray() ?? Array.Empty<int>();
            if (Occurrence.Any(n => n < 1))
            {
                throw new ArgumentOutOfRangeException(nameof(occurrence), "Occurrences count from 1.");
            }
        }

        /// <summary>Numbers the faults of one server from 1 in the order they were added.</summary>
        public int Id { get; internal set; }

        public SmtpStage Stage { get; }

        public SmtpTestFaultAction Action { get; }

        /// <summary>The reply code (Reply, Greylist; 421 for Disconnect).</summary>
        public int Code { get; }

        /// <summary>The reply text, one string per line.</summary>
        public IReadOnlyList<string> Text { get; }

        /// <summary>How long the server waits before it replies (or closes).</summary>
        public TimeSpan Delay { get; }

        /// <summary>A wildcard pattern (* and ?) the envelope sender must match; null for any.</summary>
        public string? Sender { get; }

        /// <summary>A wildcard pattern (* and ?) the RCPT address must match; null for any.</summary>
        public string? Recipient { get; }

        /// <summary>The occurrences (1 = the first time the stage and patterns match) the fault applies to; empty for every one.</summary>
        public IReadOnlyList<int> Occurrence { get; }

        /// <summary>How many times the stage and patterns matched.</summary>
        public int Matches => Volatile.Read(ref _matches);

        /// <summary>How many times the fault was applied.</summary>
        public int Hits => Volatile.Read(ref _hits);

        public override string ToString()
        {
            string what = Action switch
            {
                SmtpTestFaultAction.Reply => $"reply {Code} {string.Join(" ", Text)}",
                SmtpTestFaultAction.Disconnect => $"421 and close",
                SmtpTestFaultAction.Drop => "close without reply",
                SmtpTestFaultAction.Greylist => $"greylist ({Code})",
                _ => "delay",
            };
            return $"{Stage}: {what}";
        }

        /// <summary>Counts a match and says whether the fault applies to it (the server serialises calls).</summary>
        internal bool TryApply(SmtpStage stage, string sender, string? recipient)
        {
            if (stage != Stage || (Sender != null && !Wildcard.IsMatch(sender, Sender)) ||
                (Recipient != null && (recipient == null || !Wildcard.IsMatch(recipient, Recipient))))
            {
                return false;
            }

            int match = Interlocked.Increment(ref _matches);
            if (Occurrence.Count > 0 && !Occurrence.Contains(match))
            {
                return false;
            }

            if (Action == SmtpTestFaultAction.Greylist && !_seenPairs.Add(sender + "\n" + recipient))
            {
                // The retry of a pair seen before is let through, as a greylisting server does.
                return false;
            }

            Interlocked.Increment(ref _hits);
            return true;
        }

        private static int DefaultCode(SmtpTestFaultAction action) => action switch
        {
            SmtpTestFaultAction.Disconnect => 421,
            SmtpTestFaultAction.Greylist => 450,
            _ => 0,
        };

        private static string DefaultText(SmtpTestFaultAction action, int code) => action switch
        {
            SmtpTestFaultAction.Disconnect => "4.3.2 Service not available, closing transmission channel (scripted fault)",
            SmtpTestFaultAction.Greylist => "4.2.0 Greylisted, try again later (scripted fault)",
            _ => code >= 500 ? "5.0.0 Refused (scripted fault)" : code >= 400 ? "4.0.0 Try again later (scripted fault)" : "Ok (scripted fault)",
        };
    }
}
