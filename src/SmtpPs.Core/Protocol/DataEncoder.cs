using System;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// Turns a message file's bytes into the DATA stream, buffer by buffer, carrying its state across
    /// buffers so that a line break or a leading dot split between two reads is handled the same.
    /// <list type="bullet">
    /// <item>Every bare LF, bare CR and CRLF becomes CRLF (RFC 5321 2.3.8), so the wire never holds a
    /// lone CR or LF: the SMTP smuggling class (CVE-2023-51764) needs one of them.</item>
    /// <item>A line that starts with '.' gets one more '.', the first line included (RFC 5321 4.5.2).</item>
    /// <item><see cref="Finish"/> adds a CRLF only when the file did not end with a line break, then ".\r\n".</item>
    /// </list>
    /// No allocation per byte or per call: the caller owns both buffers.
    /// </summary>
    internal sealed class DataEncoder
    {
        /// <summary>The most bytes <see cref="Finish"/> writes.</summary>
        public const int MaxFinishLength = 5;

        private static readonly byte[] EndOfData = { (byte)'.', (byte)'\r', (byte)'\n' };

        private readonly bool _dotStuffing;
        private bool _atLineStart = true;
        private bool _pendingCr;

        /// <param name="dotStuffing">
        /// True for DATA. False for BDAT (RFC 3030), whose chunks carry exact octet counts: no dot-stuffing
        /// and no final dot, only the line breaks repaired.
        /// </param>
        public DataEncoder(bool dotStuffing = true)
        {
            _dotStuffing = dotStuffing;
        }

        /// <summary>Room the output of <see cref="Encode"/> needs for <paramref name="count"/> input bytes.</summary>
        public static int MaxEncodedLength(int count) => (2 * count) + 2;

        /// <summary>Encodes <paramref name="count"/> bytes; returns the number of bytes written to <paramref name="output"/>.</summary>
        public int Encode(byte[] input, int offset, int count, byte[] output, int outputOffset = 0)
        {
            int o = outputOffset;
            int i = offset;
            int end = offset + count;
            while (i < end)
            {
                byte b = input[i];
                if (b == (byte)'\n')
                {
                    // CRLF, or a bare LF: either way one line break.
                    output[o++] = (byte)'\r';
                    output[o++] = (byte)'\n';
                    _pendingCr = false;
                    _atLineStart = true;
                    i++;
                    continue;
                }

                if (_pendingCr)
                {
                    // The CR before this byte was not followed by LF: a bare CR is a line break too.
                    output[o++] = (byte)'\r';
                    output[o++] = (byte)'\n';
                    _pendingCr = false;
                    _atLineStart = true;
                }

                if (b == (byte)'\r')
                {
                    // Hold it: only the next byte (maybe in the next buffer) says whether it is a CRLF.
                    _pendingCr = true;
                    i++;
                    continue;
                }

                if (_dotStuffing && _atLineStart && b == (byte)'.')
                {
                    output[o++] = (byte)'.';
                }

                // The rest of the line up to the next CR or LF goes as it is: one block copy, not a byte at a time.
                int run = i;
                i = ByteScan.SkipPlain(input, i + 1, end);
                while (i < end && input[i] != (byte)'\n' && input[i] != (byte)'\r')
                {
                    i++;
                }

                Buffer.BlockCopy(input, run, output, o, i - run);
                o += i - run;
                _atLineStart = false;
            }

            return o - outputOffset;
        }

        /// <summary>Ends the data: the last line break if it is missing, then (for DATA) the terminating ".\r\n".</summary>
        public int Finish(byte[] output, int outputOffset = 0)
        {
            int o = outputOffset;
            if (_pendingCr || !_atLineStart)
            {
                output[o++] = (byte)'\r';
                output[o++] = (byte)'\n';
            }

            for (int i = 0; _dotStuffing && i < EndOfData.Length; i++)
            {
                output[o++] = EndOfData[i];
            }

            _pendingCr = false;
            _atLineStart = true;
            return o - outputOffset;
        }
    }
}
