using System;
using System.IO;

namespace SmtpPs.Mime
{
    /// <summary>A write-only stream that feeds <see cref="MessageLinter"/>, so a MIME object is checked as it is written.</summary>
    internal sealed class LintingStream : Stream
    {
        private readonly MessageLinter _linter;
        private long _length;

        public LintingStream(MessageLinter linter) => _linter = linter;

        public override bool CanRead => false;

        public override bool CanSeek => false;

        public override bool CanWrite => true;

        public override long Length => _length;

        public override long Position
        {
            get => _length;
            set => throw new NotSupportedException();
        }

        public override void Write(byte[] buffer, int offset, int count)
        {
            _linter.Write(buffer, offset, count);
            _length += count;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();
    }
}
