using System;
using System.Collections.Concurrent;
using System.IO;
using System.Runtime.ExceptionServices;
using System.Threading;

namespace SmtpPs.Mime
{
    /// <summary>
    /// A read stream over something that can only write itself (MimeKit writes a message into a
    /// stream; it cannot be read from). A thread of its own writes into a queue of at most
    /// <see cref="Depth"/> blocks of <see cref="BlockSize"/> octets and waits while the reader is
    /// behind, so memory stays bounded whatever the size of the message. A failure of the writer (an
    /// attachment file gone) is thrown from Read; disposing the stream early stops the writer, which
    /// then closes what it had open.
    /// </summary>
    /// <remarks>
    /// A dedicated thread, not a pool task: it blocks while the reader waits on the network, and
    /// blocked pool threads would starve the socket completions the reader itself needs.
    /// </remarks>
    internal sealed class WrittenStream : Stream
    {
        public const int BlockSize = 64 * 1024;
        public const int Depth = 4;

        private readonly BlockingCollection<byte[]> _blocks = new BlockingCollection<byte[]>(Depth);
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();
        private ExceptionDispatchInfo? _failure;
        private byte[]? _current;
        private int _currentOffset;
        private long _position;
        private bool _disposed;

        public WrittenStream(Action<Stream, CancellationToken> write)
        {
            var thread = new Thread(() => Produce(write)) { IsBackground = true, Name = "SmtpPs message writer" };
            thread.Start();
        }

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position
        {
            get => _position;
            set => throw new NotSupportedException();
        }

        public override int Read(byte[] buffer, int offset, int count)
        {
            if (_disposed)
            {
                throw new ObjectDisposedException(nameof(WrittenStream));
            }

            while (_current == null || _currentOffset == _current.Length)
            {
                if (!_blocks.TryTake(out _current, Timeout.Infinite))
                {
                    // The writer has finished: its failure, if any, is the reader's.
                    _failure?.Throw();
                    _current = null;
                    return 0;
                }

                _currentOffset = 0;
            }

            int n = Math.Min(count, _current.Length - _currentOffset);
            Buffer.BlockCopy(_current, _currentOffset, buffer, offset, n);
            _currentOffset += n;
            _position += n;
            return n;
        }

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing && !_disposed)
            {
                _disposed = true;
                _stop.Cancel();
                // Unblocks a writer waiting for room; what it still adds is dropped.
                while (_blocks.TryTake(out _))
                {
                }
            }

            base.Dispose(disposing);
        }

        private void Produce(Action<Stream, CancellationToken> write)
        {
            try
            {
                using var blocks = new BlockWriter(_blocks, _stop.Token);
                write(blocks, _stop.Token);
                blocks.Flush();
            }
            catch (OperationCanceledException) when (_stop.IsCancellationRequested)
            {
                // The reader stopped reading: nothing to report.
            }
            catch (Exception e)
            {
                _failure = ExceptionDispatchInfo.Capture(e);
            }
            finally
            {
                _blocks.CompleteAdding();
            }
        }

        /// <summary>The writer's side: fills blocks and queues each one when full, waiting for room.</summary>
        private sealed class BlockWriter : Stream
        {
            private readonly BlockingCollection<byte[]> _blocks;
            private readonly CancellationToken _stop;
            private byte[] _block = new byte[BlockSize];
            private int _used;

            public BlockWriter(BlockingCollection<byte[]> blocks, CancellationToken stop)
            {
                _blocks = blocks;
                _stop = stop;
            }

            public override bool CanRead => false;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            public override void Write(byte[] buffer, int offset, int count)
            {
                while (count > 0)
                {
                    int n = Math.Min(count, _block.Length - _used);
                    Buffer.BlockCopy(buffer, offset, _block, _used, n);
                    _used += n;
                    offset += n;
                    count -= n;
                    if (_used == _block.Length)
                    {
                        Flush();
                    }
                }
            }

            /// <summary>Queues what has been written so far.</summary>
            public override void Flush()
            {
                if (_used == 0)
                {
                    return;
                }

                byte[] full = _used == _block.Length ? _block : Trimmed();
                _blocks.Add(full, _stop);
                _block = new byte[BlockSize];
                _used = 0;
            }

            public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            private byte[] Trimmed()
            {
                byte[] part = new byte[_used];
                Buffer.BlockCopy(_block, 0, part, 0, _used);
                return part;
            }
        }
    }
}
