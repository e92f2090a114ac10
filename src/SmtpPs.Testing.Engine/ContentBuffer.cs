using System;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// The content of one message as it arrives, held once: it grows by doubling (from the client's
    /// SIZE= or BDAT counts when given) and is handed over without a copy when it ends exactly full.
    /// Past the size limit it only counts, so an oversized message costs no memory.
    /// </summary>
    internal sealed class ContentBuffer
    {
        private readonly long _limit;
        private byte[] _data;

        internal ContentBuffer(long limit, long expected)
        {
            _limit = limit;
            // The client's SIZE= is a promise, not a fact: it sizes the first buffer only up to 256 MiB.
            long initial = Math.Max(0, Math.Min(expected, limit > 0 ? limit : int.MaxValue));
            _data = new byte[Math.Min(initial, 256L << 20)];
        }

        /// <summary>Octets received, stored or not.</summary>
        internal long Length { get; private set; }

        /// <summary>True once the content passed the size limit.</summary>
        internal bool Overflowed => _limit > 0 && Length > _limit;

        /// <summary>Makes room for <paramref name="count"/> more octets (BDAT announces its chunk sizes).</summary>
        internal void Expect(long count)
        {
            if (!Overflowed && (_limit == 0 || Length + count <= _limit))
            {
                Reserve(Length + count);
            }
        }

        internal void Append(ReadOnlySpan<byte> octets)
        {
            long end = Length + octets.Length;
            if (_limit > 0 && end > _limit)
            {
                // Too large: stop storing and let go of what was kept; the end of data is refused with 552.
                _data = Array.Empty<byte>();
                Length = end;
                return;
            }

            Reserve(end);
            octets.CopyTo(_data.AsSpan((int)Length));
            Length = end;
        }

        internal byte[] ToArray()
        {
            if (_data.Length == Length)
            {
                return _data;
            }

            byte[] exact = _data.AsSpan(0, (int)Length).ToArray();
            _data = Array.Empty<byte>();
            return exact;
        }

        private void Reserve(long size)
        {
            if (size <= _data.Length)
            {
                return;
            }

            if (size > 0x7FFFFFC7)
            {
                throw new InvalidOperationException("A message over 2 GB cannot be held in memory.");
            }

            long grown = Math.Min(Math.Max(size, Math.Max(4096L, _data.Length * 2L)), 0x7FFFFFC7);
            Array.Resize(ref _data, (int)grown);
        }
    }
}
