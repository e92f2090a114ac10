using System;
using System.Globalization;
using System.Text;

namespace SmtpPs
{
    /// <summary>What one entry of the protocol log records.</summary>
    public enum SmtpLogKind
    {
        /// <summary>A line the client sent (secrets already replaced), or a note of content it sent.</summary>
        Client,

        /// <summary>A whole reply the server sent, every line as it was on the wire.</summary>
        Server,

        /// <summary>Something that happened around the dialogue: connecting, TLS, a decision.</summary>
        Event,

        /// <summary>Something the user should know that is not a failure.</summary>
        Warning,

        /// <summary>Why the dialogue or a message failed.</summary>
        Error,
    }

    /// <summary>
    /// One entry of the protocol log: the single record of a dialogue that -Verbose, -TranscriptPath
    /// and the test server's records are all made from.
    /// </summary>
    public sealed class SmtpLogEntry
    {
        public SmtpLogEntry(DateTime timestamp, SmtpLogKind kind, string text)
        {
            Timestamp = timestamp;
            Kind = kind;
            Text = text;
        }

        /// <summary>When the entry was made, in UTC.</summary>
        public DateTime Timestamp { get; }

        public SmtpLogKind Kind { get; }

        /// <summary>
        /// The line the client sent, the server's reply (lines joined by newlines, each "250-..." or
        /// "250 ..." as on the wire), or the event in words.
        /// </summary>
        public string Text { get; }

        /// <summary>The entry as -Verbose shows it: "C: " and "S: " before the dialogue's lines, events as they are.</summary>
        public override string ToString() => Format(Kind switch
        {
            SmtpLogKind.Client => "C: ",
            SmtpLogKind.Server => "S: ",
            SmtpLogKind.Warning => "warning: ",
            SmtpLogKind.Error => "error: ",
            _ => string.Empty,
        });

        /// <summary>The entry as transcript lines, each timestamped; events marked "--": "2026-01-31T12:00:00.000Z C: EHLO x".</summary>
        public string ToTranscript()
        {
            string stamp = Timestamp.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture) + " ";
            string lines = Format(Kind switch
            {
                SmtpLogKind.Client => "C: ",
                SmtpLogKind.Server => "S: ",
                SmtpLogKind.Warning => "-- warning: ",
                SmtpLogKind.Error => "-- error: ",
                _ => "-- ",
            });
            return stamp + lines.Replace("\n", "\n" + stamp);
        }

        /// <summary>Every line of the text behind <paramref name="prefix"/>.</summary>
        private string Format(string prefix)
        {
            if (Text.IndexOf('\n') < 0)
            {
                return prefix + Text;
            }

            var lines = new StringBuilder();
            foreach (string line in Text.Split('\n'))
            {
                lines.Append(lines.Length == 0 ? string.Empty : "\n").Append(prefix).Append(line);
            }

            return lines.ToString();
        }
    }
}
