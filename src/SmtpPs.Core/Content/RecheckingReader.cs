using System;
using System.IO;

namespace SmtpPs.Content
{
    /// <summary>
    /// Reads content to be sent. Content that is read again from disk (<see cref="MessageContent.IsReadAgain"/>)
    /// is scanned once more on the way, so that a file changed after its check (a NUL or an over-long
    /// line appended, another length) is caught before the end of the message is sent.
    /// </summary>
    internal sealed class RecheckingReader : IDisposable
    {
        private readonly MessageContent _content;
        private readonly Stream _stream;
        private readonly ContentScanner? _scanner;

        public RecheckingReader(MessageContent content)
        {
            _content = content;
            _stream = content.Open();
            _scanner = content.IsReadAgain ? new ContentScanner() : null;
        }

        /// <summary>Octets read so far.</summary>
        public long Consumed { get; private set; }

        public long Total => _content.Facts.Length;

        /// <summary>Reads the next block; 0 at the end.</summary>
        /// <exception cref="ContentException">With <see cref="ContentProblem.Changed"/>: the octets are not the ones checked.</exception>
        public int Read(byte[] buffer)
        {
            int read = _stream.Read(buffer, 0, buffer.Length);
            Consumed += read;
            if (_scanner != null && read > 0)
            {
                if (Consumed > Total)
                {
                    throw Changed($"it has grown past the {Total} octets it had");
                }

                try
                {
                    _scanner.Feed(buffer, 0, read);
                }
                catch (ContentException e)
                {
                    throw Changed(char.ToLowerInvariant(e.Message[0]) + e.Message.Substring(1).TrimEnd('.'));
                }
            }

            return read;
        }

        /// <summary>At the end of the octets: are they, in sum, what was checked?</summary>
        public void ThrowIfChanged()
        {
            if (_scanner == null)
            {
                return;
            }

            ContentFacts now = _scanner.Finish();
            ContentFacts then = _content.Facts;
            if (now.Length != then.Length || now.WireSize != then.WireSize || now.HasEightBit != then.HasEightBit ||
                now.HeadersEightBit != then.HeadersEightBit)
            {
                throw Changed($"it now has {now.Length} octets{(now.HasEightBit != then.HasEightBit ? " and other 8-bit content" : string.Empty)} where it had {then.Length}");
            }
        }

        public void Dispose() => _stream.Dispose();

        private static ContentException Changed(string how) =>
            new ContentException(ContentProblem.Changed, 0, "It changed after it was checked (" + how + "); the end of the message was not sent, so nothing was delivered");
    }
}
