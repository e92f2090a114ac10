using System;
using System.IO;

namespace SmtpPs.Protocol
{
    /// <summary>What a pre-flight read of a message file found (RELIABILITY rows 14-17).</summary>
    internal sealed class MessageContentFacts
    {
        public MessageContentFacts(long length, int bomLength, bool hasEightBit, string headers, long wireSize, bool headersEightBit)
        {
            WireSize = wireSize;
            HeadersEightBit = headersEightBit;
            Length = length;
            BomLength = bomLength;
            HasEightBit = hasEightBit;
            Headers = headers;
        }

        /// <summary>True when the header block has a Bcc: or Resent-Bcc: field (RELIABILITY row 19).</summary>
        public bool HasBcc => HeaderFields.Has(Headers, "Bcc") || HeaderFields.Has(Headers, "Resent-Bcc");

        /// <summary>The header block (up to the first empty line, at most <see cref="MessageContentScanner.MaxHeaderBytes"/>), line breaks as LF.</summary>
        public string Headers { get; }

        public long Length { get; }

        /// <summary>
        /// The message's size as RFC 1870 counts it for SIZE=: every line break as CRLF and a final CRLF,
        /// without the dot-stuffing and the final dot (and without a byte order mark).
        /// </summary>
        public long WireSize { get; }

        /// <summary>True when the header block has octets above 127: UTF-8 headers need SMTPUTF8 (RFC 6532).</summary>
        public bool HeadersEightBit { get; }

        /// <summary>3 when the file starts with a UTF-8 byte order mark, which is not sent.</summary>
        public int BomLength { get; }

        /// <summary>True when an octet above 127 occurs: the server must offer 8BITMIME (RFC 6152).</summary>
        public bool HasEightBit { get; }

        public long Lines { get; }
    }

    /// <summary>A file that cannot be sent as it is, with the line where the problem is.</summary>
    internal sealed class MessageContentException : Exception
    {
        public MessageContentException(string problem, long line, string reason)
            : base(line > 0 ? $"{reason} (line {line})." : reason + ".")
        {
            Problem = problem;
            Line = line;
        }

        /// <summary>A stable name for the problem: Nul, Utf16, LineTooLong.</summary>
        public string Problem { get; }

        public long Line { get; }
    }

    /// <summary>
    /// Reads a message file once, in fixed blocks, before anything is sent, and refuses what no repair
    /// can make safe: a NUL byte, UTF-16 text, a line over 998 octets (RFC 5322 2.1.1; folding would
    /// change the content and break DKIM). Line breaks are counted the way the DATA encoder will make
    /// them: CRLF, a bare LF and a bare CR each end one line.
    /// </summary>
    internal static class MessageContentScanner
    {
        /// <summary>RFC 5322 2.1.1 and RFC 5321 4.5.3.1.6: 998 octets, without the CRLF.</summary>
        public const int MaxLineLength = 998;

        /// <summary>Only this much of the header block is kept for -RecipientsFromHeaders and the Bcc warning.</summary>
        public const int MaxHeaderBytes = 256 * 1024;

        private const int BlockSize = 256 * 1024;

        /// <summary>Scans with a buffer of its own; a caller that scans many files passes one to reuse.</summary>
        public static MessageContentFacts Scan(Stream content) => Scan(content, NewBuffer());

        /// <summary>A scan buffer: large enough for few reads, allocated once per batch, not per file.</summary>
        public static byte[] NewBuffer() => new byte[BlockSize];

        public static MessageContentFacts Scan(Stream content, byte[] buffer)
        {
            int read = ReadAtLeast(content, buffer, 4);
            int bom = 0;
            if (read >= 2 && ((buffer[0] == 0xFF && buffer[1] == 0xFE) || (buffer[0] == 0xFE && buffer[1] == 0xFF)))
            {
                throw new MessageContentException("Utf16", 0,
                    "The file is UTF-16 text; a message must be bytes in ASCII or UTF-8 (save it as UTF-8)");
            }

            if (read >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF)
            {
                bom = 3; // Windows PowerShell 5.1 writes one; it would end up in front of the first header.
            }

            long length = 0;
            long line = 1;
            long lineLength = 0;
            bool pendingCr = false;
            bool eightBit = false;
            bool inHeaders = true;
            bool headersEightBit = false;
            long lineBreaks = 0;
            long breakOctets = 0;
            bool lastWasBreak = false;
            var headers = new MemoryStream();
            int start = bom;
            while (read > 0)
            {
                for (int i = start; i < read; i++)
                {
                    byte b = buffer[i];
                    if (b == (byte)'\n')
                    {
                        pendingCr = false;
                        lineBreaks++;
                        breakOctets++;
                        lastWasBreak = true;
                        EndLine(ref inHeaders, lineLength, headers);
                        line++;
                        lineLength = 0;
                        continue;
                    }

                    if (pendingCr)
                    {
                        // A bare CR ended the previous line.
                        pendingCr = false;
                        lineBreaks++;
                        EndLine(ref inHeaders, lineLength, headers);
                        line++;
                        lineLength = 0;
                    }

                    if (b == (byte)'\r')
                    {
                        pendingCr = true;
                        breakOctets++;
                        lastWasBreak = true;
                        continue;
                    }

                    lastWasBreak = false;

                    // The rest of the line up to the next CR or LF: checked in one tight loop.
                    int run = i;
                    ulong seen = 0;
                    i = ByteScan.SkipPlainAndNul(buffer, i, read, ref seen);
                    int octets = ByteScan.HasHighBit(seen) ? 0x80 : 0;
                    while (i < read && (b = buffer[i]) != (byte)'\n' && b != (byte)'\r')
                    {
                        if (b == 0)
                        {
                            throw new MessageContentException("Nul", line,
                                "The file contains a NUL byte, which SMTP cannot carry (RFC 5322 2.2); it may be a binary or UTF-16 file");
                        }

                        octets |= b;
                        i++;
                    }

                    bool high = (octets & 0x80) != 0;
                    eightBit |= high;
                    headersEightBit |= inHeaders && high;
                    lineLength += i - run;
                    if (lineLength > MaxLineLength)
                    {
                        throw new MessageContentException("LineTooLong", line,
                            $"The file has a line longer than {MaxLineLength} octets, which SMTP does not allow; folding it would change the message");
                    }

                    if (inHeaders && headers.Length < MaxHeaderBytes)
                    {
                        headers.Write(buffer, run, (int)Math.Min(i - run, MaxHeaderBytes - headers.Length));
                    }

                    i--; // the for loop steps onto the CR or LF (or past the block)
                }

                length += read - start;
                start = 0;
                read = content.Read(buffer, 0, buffer.Length);
            }

            if (pendingCr)
            {
                lineBreaks++;
            }

            // Every octet but CR and LF, then two octets per line break, and a final CRLF when missing.
            long wireSize = (length - breakOctets) + (2 * lineBreaks) + (lastWasBreak || length == 0 ? 0 : 2);
            return new MessageContentFacts(length, bom, eightBit, DecodeHeaders(headers), wireSize, headersEightBit);
        }

        /// <summary>An empty line ends the header block (RFC 5322 2.1).</summary>
        private static void EndLine(ref bool inHeaders, long lineLength, MemoryStream headers)
        {
            if (!inHeaders)
            {
                return;
            }

            if (lineLength == 0)
            {
                inHeaders = false;
            }
            else if (headers.Length < MaxHeaderBytes)
            {
                headers.WriteByte((byte)'\n');
            }
        }

        private static string DecodeHeaders(MemoryStream headers)
        {
            byte[] bytes = headers.ToArray();
            try
            {
                return new System.Text.UTF8Encoding(false, true).GetString(bytes);
            }
            catch (System.Text.DecoderFallbackException)
            {
                return System.Text.Encoding.GetEncoding(28591).GetString(bytes);
            }
        }

        private static int ReadAtLeast(Stream content, byte[] buffer, int minimum)
        {
            int total = 0;
            int read;
            while (total < minimum && (read = content.Read(buffer, total, buffer.Length - total)) > 0)
            {
                total += read;
            }

            return total;
        }
    }
}
