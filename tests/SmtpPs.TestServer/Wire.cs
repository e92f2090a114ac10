using System;
using System.Collections.Generic;
using System.Text;

namespace SmtpPs.TestServer
{
    /// <summary>Reads a client's raw byte stream back into command lines and DATA sections.</summary>
    public static class Wire
    {
        private static readonly byte[] EndOfData = Encoding.ASCII.GetBytes("\r\n.\r\n");

        /// <param name="tapped">True for bytes seen on the wire, which after STARTTLS are encrypted and unreadable.</param>
        public static string[] Commands(byte[] clientBytes, byte[]? serverBytes = null, bool tapped = false)
        {
            var commands = new List<string>();
            Walk(clientBytes, serverBytes, tapped, commands, null);
            return commands.ToArray();
        }

        public static byte[][] DataSections(byte[] clientBytes, byte[]? serverBytes = null, bool tapped = false)
        {
            var sections = new List<byte[]>();
            Walk(clientBytes, serverBytes, tapped, null, sections);
            return sections.ToArray();
        }

        /// <summary>The codes of the server's replies, in order (a multi-line reply counts once).</summary>
        public static List<int> ReplyCodes(byte[] serverBytes)
        {
            var codes = new List<int>();
            int i = 0;
            while (i < serverBytes.Length)
            {
                int lf = Array.IndexOf(serverBytes, (byte)'\n', i);
                int end = lf < 0 ? serverBytes.Length : lf + 1;
                string line = Encoding.Latin1.GetString(serverBytes, i, end - i).TrimEnd('\r', '\n');
                i = end;
                if (line.Length >= 3 && (line.Length == 3 || line[3] == ' ') && int.TryParse(line.Substring(0, 3), out int code))
                {
                    codes.Add(code);
                }
            }

            return codes;
        }

        /// <summary>
        /// Splits the client's bytes into command lines and content. With the server's bytes, each command is
        /// paired with its reply in order (as PIPELINING requires), so a DATA is followed by content only when
        /// it was answered 354, and BDAT chunks are skipped by their counts; without them, any DATA is.
        /// </summary>
        private static void Walk(byte[] bytes, byte[]? serverBytes, bool tapped, List<string>? commands, List<byte[]>? sections)
        {
            List<int>? replies = serverBytes == null ? null : ReplyCodes(serverBytes);
            int reply = 1; // the greeting answers no command
            int i = 0;
            while (i < bytes.Length)
            {
                int lf = Array.IndexOf(bytes, (byte)'\n', i);
                int end = lf < 0 ? bytes.Length : lf + 1;
                string line = Encoding.Latin1.GetString(bytes, i, end - i).TrimEnd('\r', '\n');
                commands?.Add(line);
                i = end;
                int code = replies == null ? 354 : reply < replies.Count ? replies[reply] : 0;
                reply++;
                if (line.StartsWith("BDAT ", StringComparison.OrdinalIgnoreCase))
                {
                    string[] words = line.Split(' ');
                    int size = int.Parse(words[1], System.Globalization.CultureInfo.InvariantCulture);
                    sections?.Add(bytes.AsSpan(i, Math.Min(size, bytes.Length - i)).ToArray());
                    i += size;
                    continue;
                }

                if (tapped && replies != null && line.Equals("STARTTLS", StringComparison.OrdinalIgnoreCase) && code == 220)
                {
                    return; // what follows is TLS
                }

                if (!line.Equals("DATA", StringComparison.OrdinalIgnoreCase) || code != 354)
                {
                    continue;
                }

                // The content starts right after "DATA\r\n"; search from two bytes back so that a content of
                // just ".\r\n" still ends the section.
                int from = Math.Max(0, i - 2);
                int stop = IndexOf(bytes, EndOfData, from);
                int sectionEnd = stop < 0 ? bytes.Length : stop + EndOfData.Length;
                sections?.Add(bytes.AsSpan(i, Math.Max(0, sectionEnd - i)).ToArray());
                i = sectionEnd;
                reply++; // the reply to the final dot
            }
        }

        private static int IndexOf(byte[] haystack, byte[] needle, int from)
        {
            int found = haystack.AsSpan(from).IndexOf(needle);
            return found < 0 ? -1 : from + found;
        }

        /// <summary>
        /// The RFC 5321 2.3.8 oracle for what follows 354 (hazards: H-SMUGGLE): no CR without LF, no LF
        /// without CR, exactly one CRLF.CRLF, at the end. Returns null when it holds, else why not.
        /// </summary>
        public static string? CheckDataInvariant(byte[] section)
        {
            for (int i = 0; i < section.Length; i++)
            {
                if (section[i] == '\r' && (i + 1 >= section.Length || section[i + 1] != '\n'))
                {
                    return $"lone CR at offset {i}";
                }

                if (section[i] == '\n' && (i == 0 || section[i - 1] != '\r'))
                {
                    return $"lone LF at offset {i}";
                }
            }

            // A section that is just ".\r\n" follows the DATA line's own CRLF.
            bool endsWithTerminator = section.AsSpan().EndsWith(EndOfData) ||
                                      (section.Length == 3 && section.AsSpan().SequenceEqual(".\r\n"u8));
            if (!endsWithTerminator)
            {
                return "does not end with CRLF.CRLF";
            }

            int first = section.AsSpan().IndexOf(EndOfData);
            if (first >= 0 && first != section.Length - EndOfData.Length)
            {
                return $"CRLF.CRLF at offset {first}, before the end";
            }

            return null;
        }

        /// <summary>Undoes the wire form (RFC 5321 4.5.2): drops the final dot and one leading dot per line.</summary>
        public static byte[] Unstuff(byte[] section)
        {
            var output = new List<byte>(section.Length);
            int body = section.Length - 3; // without ".\r\n"
            bool lineStart = true;
            for (int i = 0; i < body; i++)
            {
                if (lineStart && section[i] == '.')
                {
                    lineStart = false;
                    continue;
                }

                output.Add(section[i]);
                lineStart = section[i] == '\n';
            }

            return output.ToArray();
        }
    }
}
