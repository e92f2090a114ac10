using System;
using System.Globalization;
using System.IO;
using System.Text;

namespace SmtpPs.Commands
{
    /// <summary>
    /// -TranscriptPath: the dialogue as text, one timestamped line per client line ("C:"), server line
    /// ("S:") or event ("--"). It is written from the same redacted lines as -Verbose, so a secret that
    /// never reaches -Verbose never reaches the file either.
    /// </summary>
    internal sealed class TranscriptWriter : IDisposable
    {
        private readonly StreamWriter _writer;

        public TranscriptWriter(string path)
        {
            _writer = new StreamWriter(path, append: false, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
        }

        public void Write(string message)
        {
            string stamp = DateTime.UtcNow.ToString("yyyy-MM-ddTHH:mm:ss.fffZ", CultureInfo.InvariantCulture);
            foreach (string line in message.Split('\n'))
            {
                bool dialogue = line.StartsWith("C: ", StringComparison.Ordinal) || line.StartsWith("S: ", StringComparison.Ordinal);
                _writer.WriteLine(dialogue ? $"{stamp} {line}" : $"{stamp} -- {line}");
            }
        }

        public void Dispose() => _writer.Dispose();
    }
}
