using System;
using System.Collections.Generic;
using System.Text;

namespace SmtpPs.Protocol
{
    /// <summary>A reply as read off the wire, before it is given its command and timing.</summary>
    internal readonly struct RawReply
    {
        public RawReply(int code, string[] lines)
        {
            Code = code;
            Lines = lines;
        }

        public int Code { get; }

        public string[] Lines { get; }
    }

    /// <summary>
    /// Reads whole replies (RFC 5321 4.2) strictly and within fixed bounds: exactly three digits with a
    /// first digit of 2 to 5, then '-', space or the end of the line; one code for every line; no line
    /// over <see cref="MaxLineLength"/> octets and no reply over <see cref="MaxLines"/> lines. A reply
    /// split across any number of reads parses the same, and memory never grows with what the server sends.
    /// </summary>
    internal sealed class ReplyReader
    {
        /// <summary>RFC 5321 4.5.3.1.5 says 512; real servers exceed it, so allow 16 times that (CPython allows 8192).</summary>
        public const int MaxLineLength = 8192;

        /// <summary>A bound on continuation lines (hazards: H-REPLY-BOUND): EHLO replies have a few dozen at most.</summary>
        public const int MaxLines = 256;

        private readonly IReplySource _source;
        private readonly byte[] _buffer = new byte[MaxLineLength];
        private int _start;
        private int _end;

        public ReplyReader(IReplySource source)
        {
            _source = source;
        }

        /// <summary>True when bytes beyond the last reply were read and are waiting: nobody asked for them.</summary>
        public bool HasBufferedInput => _end > _start;

        public RawReply Read(Deadline deadline)
        {
            var lines = new List<string>();
            int code = 0;
            while (true)
            {
                ArraySegment<byte> line = ReadLine(deadline, lines.Count);
                ParseLine(line, deadline.Stage, lines.Count == 0 ? 0 : code, out int lineCode, out bool isLast, out string text);
                code = lineCode;
                lines.Add(text);
                if (isLast)
                {
                    return new RawReply(code, lines.ToArray());
                }

                if (lines.Count >= MaxLines)
                {
                    throw new SmtpProtocolException(
                        $"The server sent a reply of more than {MaxLines} lines; it is not read further.", deadline.Stage);
                }
            }
        }

        /// <summary>Returns one line without its LF (and without the CR before it).</summary>
        private ArraySegment<byte> ReadLine(Deadline deadline, int linesSoFar)
        {
            while (true)
            {
                int lf = Array.IndexOf(_buffer, (byte)'\n', _start, _end - _start);
                if (lf >= 0)
                {
                    int lineStart = _start;
                    _start = lf + 1;
                    int length = lf - lineStart;
                    if (length > 0 && _buffer[lf - 1] == '\r')
                    {
                        length--;
                    }

                    return new ArraySegment<byte>(_buffer, lineStart, length);
                }

                if (_start > 0)
                {
                    Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
                    _end -= _start;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    throw new SmtpProtocolException(
                        $"The server sent a reply line longer than {MaxLineLength} octets; it is not read further.",
                        deadline.Stage);
                }

                int read = _source.Read(_buffer, _end, _buffer.Length - _end, deadline);
                if (read <= 0)
                {
                    string partial = _end > 0 || linesSoFar > 0
                        ? $" in the middle of a reply ({linesSoFar} complete lines, then '{Printable(new ArraySegment<byte>(_buffer, 0, _end))}')"
                        : " before it replied";
                    throw new SmtpConnectionException($"The server closed the connection{partial}.", deadline.Stage);
                }

                _end += read;
            }
        }

        private static void ParseLine(ArraySegment<byte> line, SmtpStage stage, int expectedCode, out int code,
            out bool isLast, out string text)
        {
            byte[] b = line.Array!;
            int o = line.Offset;
            bool valid = line.Count >= 3
                && b[o] >= '2' && b[o] <= '5'
                && IsDigit(b[o + 1]) && IsDigit(b[o + 2])
                && (line.Count == 3 || b[o + 3] == ' ' || b[o + 3] == '-');
            if (!valid)
            {
                throw new SmtpProtocolException(
                    $"The server sent a malformed reply line '{Printable(line)}' (a reply starts with a three-digit code from 200 to 599).",
                    stage);
            }

            code = (b[o] - '0') * 100 + (b[o + 1] - '0') * 10 + (b[o + 2] - '0');
            if (expectedCode != 0 && code != expectedCode)
            {
                throw new SmtpProtocolException(
                    $"The server changed the reply code from {expectedCode} to {code} within one reply.", stage);
            }

            if (Array.IndexOf(b, (byte)0, o, line.Count) >= 0)
            {
                throw new SmtpProtocolException("The server sent a NUL byte in a reply.", stage);
            }

            isLast = line.Count == 3 || b[o + 3] == ' ';
            text = line.Count <= 4 ? string.Empty : Decode(new ArraySegment<byte>(b, o + 4, line.Count - 4));
        }

        private static bool IsDigit(byte value) => value >= '0' && value <= '9';

        /// <summary>
        /// UTF-8 where the bytes are valid UTF-8, Latin-1 otherwise (servers send both); control characters
        /// become U+FFFD so that a reply cannot drive the user's terminal.
        /// </summary>
        internal static string Decode(ArraySegment<byte> bytes) => Neutralise(OctetText.Decode(bytes.Array!, bytes.Offset, bytes.Count));

        private static string Neutralise(string text)
        {
            StringBuilder? clean = null;
            for (int i = 0; i < text.Length; i++)
            {
                char c = text[i];
                bool control = (c < ' ' && c != '\t') || (c >= '\u007f' && c <= '\u009f');
                if (control)
                {
                    clean ??= new StringBuilder(text, 0, i, text.Length);
                    clean.Append('\uFFFD');
                }
                else
                {
                    clean?.Append(c);
                }
            }

            return clean?.ToString() ?? text;
        }

        private static string Printable(ArraySegment<byte> bytes)
        {
            const int Shown = 60;
            string text = Decode(new ArraySegment<byte>(bytes.Array!, bytes.Offset, Math.Min(bytes.Count, Shown)));
            return bytes.Count > Shown ? text + "..." : text;
        }
    }
}
