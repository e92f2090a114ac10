using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// Reads what a client sends: command lines, DATA content up to the lone dot (removing the
    /// dot-stuffing on the way) and BDAT chunks of exact length, through one buffer. Before it waits for
    /// the network it calls back, so that the replies to a pipelined batch go out in one write.
    /// </summary>
    internal sealed class ClientReader
    {
        /// <summary>RFC 5321 4.5.3.1.4 allows 512 octets; SMTPUTF8 addresses and ESMTP parameters make real lines longer.</summary>
        internal const int MaxLineLength = 16 * 1024;

        private readonly Func<Task> _beforeWait;
        private byte[] _buffer = new byte[64 * 1024];
        private int _start;
        private int _end;

        internal ClientReader(Stream stream, Func<Task> beforeWait)
        {
            Stream = stream;
            _beforeWait = beforeWait;
        }

        /// <summary>The stream in use: the socket's, then the TLS one after a handshake.</summary>
        internal Stream Stream { get; set; }

        /// <summary>Octets received but not read yet.</summary>
        internal int Buffered => _end - _start;

        /// <summary>Throws away octets received but not read (what a client sent before a TLS handshake).</summary>
        internal void Discard()
        {
            _start = _end = 0;
        }

        /// <summary>The next line without its CRLF; null when the client closed; throws <see cref="LineTooLongException"/>.</summary>
        internal async Task<byte[]?> ReadLineAsync(CancellationToken cancel)
        {
            int scanned = 0;
            while (true)
            {
                int at = Array.IndexOf(_buffer, (byte)'\n', _start + scanned, _end - _start - scanned);
                if (at >= 0)
                {
                    // RFC 5321 2.3.8: lines end with CRLF; a bare LF is part of the line, never its end.
                    if (at > _start && _buffer[at - 1] == '\r')
                    {
                        byte[] line = _buffer.AsSpan(_start, at - 1 - _start).ToArray();
                        _start = at + 1;
                        return line;
                    }

                    scanned = at + 1 - _start;
                    continue;
                }

                scanned = _end - _start;
                if (scanned > MaxLineLength)
                {
                    throw new LineTooLongException();
                }

                if (!await FillAsync(cancel).ConfigureAwait(false))
                {
                    return null;
                }
            }
        }

        /// <summary>
        /// Reads DATA content up to the line that holds only a dot (RFC 5321 4.1.1.4) into
        /// <paramref name="content"/>, removing the dot that starts a stuffed line (4.5.2). The CRLF that
        /// ends the last line is content; the dot line is not. False when the client closed first.
        /// </summary>
        internal async Task<bool> ReadDotContentAsync(ContentBuffer content, CancellationToken cancel)
        {
            bool atLineStart = true;
            bool afterCr = false;
            while (true)
            {
                while (_start < _end)
                {
                    if (atLineStart && _buffer[_start] == '.')
                    {
                        int available = _end - _start;
                        if (available < 3 && !(available == 2 && _buffer[_start + 1] != '\r'))
                        {
                            break; // Too few octets to tell ".CRLF" from a stuffed line: read more.
                        }

                        if (_buffer[_start + 1] == '\r' && _buffer[_start + 2] == '\n')
                        {
                            _start += 3;
                            return true;
                        }

                        _start++; // The stuffing dot.
                    }

                    int at = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                    if (at < 0)
                    {
                        content.Append(_buffer.AsSpan(_start, _end - _start));
                        afterCr = _buffer[_end - 1] == '\r';
                        atLineStart = false;
                        _start = _end;
                        break;
                    }

                    atLineStart = at > _start ? _buffer[at - 1] == '\r' : afterCr;
                    afterCr = false;
                    content.Append(_buffer.AsSpan(_start, at + 1 - _start));
                    _start = at + 1;
                }

                if (!await FillAsync(cancel).ConfigureAwait(false))
                {
                    return false;
                }
            }
        }

        /// <summary>Reads exactly <paramref name="count"/> octets (a BDAT chunk) into <paramref name="content"/>, or discards them when null.</summary>
        internal async Task<bool> ReadExactAsync(long count, ContentBuffer? content, CancellationToken cancel)
        {
            while (count > 0)
            {
                if (_start == _end && !await FillAsync(cancel).ConfigureAwait(false))
                {
                    return false;
                }

                int take = (int)Math.Min(count, _end - _start);
                content?.Append(_buffer.AsSpan(_start, take));
                _start += take;
                count -= take;
            }

            return true;
        }

        private async Task<bool> FillAsync(CancellationToken cancel)
        {
            if (_start == _end)
            {
                _start = _end = 0;
            }
            else if (_end == _buffer.Length)
            {
                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }
                else
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }
            }

            await _beforeWait().ConfigureAwait(false);
            int read = await Stream.ReadAsync(_buffer.AsMemory(_end), cancel).ConfigureAwait(false);
            _end += read;
            return read > 0;
        }
    }

    internal sealed class LineTooLongException : Exception
    {
        internal LineTooLongException()
            : base($"The client sent a line longer than {ClientReader.MaxLineLength} octets.")
        {
        }
    }
}
