using System;
using System.IO;

namespace SmtpPs.Content
{
    /// <summary>
    /// A write-only stream for content that can only write itself (a MIME message): everything written is
    /// scanned, and kept while it fits <paramref name="keepUpTo"/> octets, so that a small message needs no
    /// second pass to be sent.
    /// </summary>
    internal sealed class ScanningStream : Stream
    {
        private readonly ContentScanner _scanner = new ContentScanner();
        private readonly int _keepUpTo;
        private MemoryStream? _kept = new MemoryStream();

        public ScanningStream(int keepUpTo)
        {
            _keepUpTo = keepUpTo;
        }

        /// <summary>Every octet written, when they were no more than the limit; else null.</summary>
        public byte[]? Kept => _kept?.ToArray();

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _scanner.Length;

        public override long Position
        {
            get => _scanner.Length;
            set => throw new NotSupportedException();
        }

        /// <summary>The facts of what was written; <see cref="ContentException"/> for content that cannot be sent.</summary>
        public ContentFacts Finish()
        {
            ContentFacts facts = _scanner.Finish();
            if (facts.Length == 0)
            {
                throw new ContentException(ContentProblem.Empty, 0, "It is empty");
            }

            return facts;
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _scanner.Feed(buffer, offset, count);
            if (_kept != null)
            {
                if (_kept.Length + count <= _keepUpTo)
                {
                    _kept.Write(buffer, offset, count);
                }
                else
                {
                    _kept = null;
                }
            }
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
