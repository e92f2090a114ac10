using System;
using System.Text;
using SmtpPs.Protocol;

namespace SmtpPs.Logging
{
    /// <summary>
    /// The one record of a dialogue: client lines, server replies and events, as <see cref="SmtpLogEntry"/>
    /// data handed to one sink. -Verbose, -TranscriptPath and anything later read the same entries; nobody
    /// parses text back. Secrets never enter it: callers pass the redacted form of a line.
    /// </summary>
    internal sealed class ProtocolLog
    {
        private readonly Action<SmtpLogEntry> _sink;

        /// <param name="sink">Receives every entry, on the caller's thread.</param>
        /// <param name="detailed">
        /// False when nobody reads the dialogue (no -Verbose, no transcript): client lines, replies and
        /// events are then not even formatted, which matters at thousands of messages a second. Warnings
        /// and errors always go to the sink.
        /// </param>
        public ProtocolLog(Action<SmtpLogEntry> sink, bool detailed)
        {
            _sink = sink;
            IsDetailed = detailed;
        }

        /// <summary>A log that drops everything but warnings and errors, which go nowhere either.</summary>
        public static ProtocolLog None { get; } = new ProtocolLog(_ => { }, detailed: false);

        /// <summary>True when client lines, replies and events are recorded; hot paths check it before formatting.</summary>
        public bool IsDetailed { get; }

        public void Client(string line)
        {
            if (IsDetailed)
            {
                Add(SmtpLogKind.Client, line);
            }
        }

        /// <summary>A reply, every line as it was on the wire ("250-first", "250 last").</summary>
        public void Server(RawReply reply)
        {
            if (!IsDetailed)
            {
                return;
            }

            var text = new StringBuilder();
            for (int i = 0; i < reply.Lines.Length; i++)
            {
                text.Append(i == 0 ? string.Empty : "\n").Append(reply.Code).Append(i == reply.Lines.Length - 1 ? ' ' : '-').Append(reply.Lines[i]);
            }

            Add(SmtpLogKind.Server, text.ToString());
        }

        public void Event(string text)
        {
            if (IsDetailed)
            {
                Add(SmtpLogKind.Event, text);
            }
        }

        public void Warning(string text) => Add(SmtpLogKind.Warning, text);

        public void Error(string text) => Add(SmtpLogKind.Error, text);

        private void Add(SmtpLogKind kind, string text) => _sink(new SmtpLogEntry(DateTime.UtcNow, kind, text));
    }
}
