using System;
using System.IO;
using System.Text;

namespace SmtpPs.Commands
{
    /// <summary>
    /// -TranscriptPath: the protocol log as text, one timestamped line per client line ("C:"), server line
    /// ("S:") or event ("--"). It is made from the same redacted entries as -Verbose, so a secret that never
    /// reaches the log never reaches the file either. The file is opened (and emptied) only when the first
    /// entry comes: a run that sends nothing (-WhatIf) leaves an existing transcript as it was.
    /// </summary>
    internal sealed class TranscriptWriter : IDisposable
    {
        private readonly string _path;
        private StreamWriter? _writer;

        public TranscriptWriter(string path)
        {
            _path = path;
        }

        /// <summary>Why <paramref name="path"/> cannot take a transcript, or null; checked before anything is sent, without changing the file.</summary>
        public static string? CheckWritable(string path)
        {
            bool existed = File.Exists(path);
            try
            {
                using (new FileStream(path, FileMode.OpenOrCreate, FileAccess.Write, FileShare.ReadWrite))
                {
                }

                if (!existed)
                {
                    File.Delete(path);
                }

                return null;
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                return e.Message;
            }
        }

        public void Write(SmtpLogEntry entry)
        {
            _writer ??= new StreamWriter(_path, append: false, new UTF8Encoding(false)) { AutoFlush = true, NewLine = "\n" };
            _writer.WriteLine(entry.ToTranscript());
        }

        public void Dispose() => _writer?.Dispose();
    }
}
