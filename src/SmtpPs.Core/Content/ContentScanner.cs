using System;
using System.IO;
using SmtpPs.Protocol;

namespace SmtpPs.Content
{
    /// <summary>
    /// Reads a message's octets once, block by block, and refuses what no repair can make safe: a NUL
    /// octet, a line over 998 octets (RFC 5322 2.1.1; folding would change the content and break DKIM).
    /// Line breaks are counted the way the DATA encoder will make them: CRLF, a bare LF and a bare CR
    /// each end one line. The same scanner checks content before MAIL and, for a file read again to be
    /// sent, checks it once more as it goes out.
    /// </summary>
    internal sealed class ContentScanner
    {
        /// <summary>RFC 5322 2.1.1 and RFC 5321 4.5.3.1.6: 998 octets, without the CRLF.</summary>
        public const int MaxLineLength = 998;

        /// <summary>How much of the header block is kept for the envelope (-RecipientsFromHeaders) and the Bcc warning.</summary>
        public const int MaxHeaderBytes = 256 * 1024;

        /// <summary>The block size content is read in: memory does not grow with the message.</summary>
        public const int BlockSize = 256 * 1024;

        private readonly MemoryStream _headers = new MemoryStream();
        private long _length;
        private long _line = 1;
        private long _lineLength;
        private bool _pendingCr;
        private bool _eightBit;
        private bool _inHeaders = true;
        private bool _headersEightBit;
        private bool _headersTruncated;
        private long _lineBreaks;
        private long _breakOctets;
        private bool _lastWasBreak;

        /// <summary>Octets fed so far.</summary>
        public long Length => _length;

        /// <summary>
        /// The length of a UTF-8 byte order mark at the start of <paramref name="first"/> (3, or 0), which is
        /// not sent: Windows PowerShell 5.1 writes one, and it would end up in front of the first header.
        /// UTF-16 text is refused.
        /// </summary>
        public static int PreambleLength(byte[] first, int count)
        {
            if (count >= 2 && ((first[0] == 0xFF && first[1] == 0xFE) || (first[0] == 0xFE && first[1] == 0xFF)))
            {
                throw new ContentException(ContentProblem.Utf16, 0,
                    "It is UTF-16 text; a message must be octets in ASCII or UTF-8");
            }

            return count >= 3 && first[0] == 0xEF && first[1] == 0xBB && first[2] == 0xBF ? 3 : 0;
        }

        /// <summary>Scans a whole stream from its current position, block by block.</summary>
        public static ContentFacts Scan(Stream content, byte[] buffer, System.Threading.CancellationToken cancellation)
        {
            var scanner = new ContentScanner();
            int read;
            while ((read = content.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                scanner.Feed(buffer, 0, read);
            }

            return scanner.Finish();
        }

        /// <summary>Checks the next <paramref name="count"/> octets; throws <see cref="ContentException"/> at the first problem.</summary>
        public void Feed(byte[] buffer, int offset, int count)
        {
            int end = offset + count;
            for (int i = offset; i < end; i++)
            {
                byte b = buffer[i];
                if (b == (byte)'\n')
                {
                    _pendingCr = false;
                    _lineBreaks++;
                    _breakOctets++;
                    _lastWasBreak = true;
                    EndLine();
                    continue;
                }

                if (_pendingCr)
                {
                    // A bare CR ended the previous line.
                    _pendingCr = false;
                    _lineBreaks++;
                    EndLine();
                }

                if (b == (byte)'\r')
                {
                    _pendingCr = true;
                    _breakOctets++;
                    _lastWasBreak = true;
                    continue;
                }

                _lastWasBreak = false;

                // The rest of the line up to the next CR or LF: checked in one tight loop.
                int run = i;
                ulong seen = 0;
                i = ByteScan.SkipPlainAndNul(buffer, i, end, ref seen);
                int octets = ByteScan.HasHighBit(seen) ? 0x80 : 0;
                while (i < end && (b = buffer[i]) != (byte)'\n' && b != (byte)'\r')
                {
                    if (b == 0)
                    {
                        throw new ContentException(ContentProblem.Nul, _line,
                            "It contains a NUL octet, which SMTP cannot carry (RFC 5322 2.2); it may be a binary or UTF-16 file");
                    }

                    octets |= b;
                    i++;
                }

                bool high = (octets & 0x80) != 0;
                _eightBit |= high;
                _headersEightBit |= _inHeaders && high;
                _lineLength += i - run;
                if (_lineLength > MaxLineLength)
                {
                    throw new ContentException(ContentProblem.LineTooLong, _line,
                        $"It has a line longer than {MaxLineLength} octets, which SMTP does not allow; folding it would change the message");
                }

                if (_inHeaders)
                {
                    KeepHeader(buffer, run, i - run);
                }

                i--; // the for loop steps onto the CR or LF (or past the block)
            }

            _length += count;
        }

        /// <summary>What the octets fed so far add up to.</summary>
        public ContentFacts Finish()
        {
            long lineBreaks = _lineBreaks + (_pendingCr ? 1 : 0);

            // Every octet but CR and LF, then two octets per line break, and a final CRLF when missing.
            long wireSize = (_length - _breakOctets) + (2 * lineBreaks) + (_lastWasBreak || _length == 0 ? 0 : 2);
            return new ContentFacts(_length, _eightBit, DecodeHeaders(_headers.ToArray()), _headersTruncated, wireSize, _headersEightBit);
        }

        private void KeepHeader(byte[] buffer, int offset, int count)
        {
            int room = MaxHeaderBytes - (int)_headers.Length;
            if (count > room)
            {
                _headersTruncated = true;
                count = room;
            }

            _headers.Write(buffer, offset, count);
        }

        /// <summary>An empty line ends the header block (RFC 5322 2.1).</summary>
        private void EndLine()
        {
            if (_inHeaders)
            {
                if (_lineLength == 0)
                {
                    _inHeaders = false;
                }
                else if (_headers.Length < MaxHeaderBytes)
                {
                    _headers.WriteByte((byte)'\n');
                }
                else
                {
                    _headersTruncated = true;
                }
            }

            _line++;
            _lineLength = 0;
        }

        private static string DecodeHeaders(byte[] bytes) => OctetText.Decode(bytes, 0, bytes.Length);
    }
}
