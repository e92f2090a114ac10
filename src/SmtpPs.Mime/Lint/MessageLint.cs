using System.Collections.Generic;
using System.IO;
using System.Threading;

namespace SmtpPs.Mime
{
    /// <summary>Test-MimeMessage's entry points: a message's octets from a stream, or a MIME object as it would be written.</summary>
    internal static class MessageLint
    {
        private const int BufferSize = 64 * 1024;

        /// <summary>
        /// Checks raw content (a file, a string's or an array's octets), sent as it is. Findings name
        /// <paramref name="path"/> when there is one, else the message's Message-ID, else <paramref name="name"/>.
        /// </summary>
        public static IReadOnlyList<MessageLintFinding> CheckRaw(Stream content, string name, string? path, CancellationToken cancellationToken)
        {
            var linter = new MessageLinter(rawContent: true);
            byte[] buffer = new byte[BufferSize];
            int read;
            while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                linter.Write(buffer, 0, read);
            }

            return linter.Complete(path ?? linter.MessageId ?? name, path);
        }

        /// <summary>Checks a MIME object's wire form, written through the linter as the sender would write it.</summary>
        public static IReadOnlyList<MessageLintFinding> CheckMime(MimeSource message, CancellationToken cancellationToken)
        {
            var linter = new MessageLinter(rawContent: false);
            using (var stream = new LintingStream(linter))
            {
                message.WriteTo(stream, cancellationToken);
            }

            return linter.Complete(message.Name, null);
        }
    }
}
