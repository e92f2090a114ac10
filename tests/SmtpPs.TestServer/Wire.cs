using System;
using System.Collections.Generic;
using System.Text;

namespace SmtpPs.TestServer
{
    /// <summary>Reads a client's raw byte stream back into command lines and DATA sections.</summary>
    public static class Wire
    {
        private static readonly byte[] EndOfData = Encoding.ASCII.GetBytes("\r\n.\r\n");

        public static string[] Commands(byte[] clientBytes)
        {
            var commands = new List<string>();
            Walk(clientBytes, commands, null);
            return commands.ToArray();
        }

        public static byte[][] DataSections(byte[] clientBytes)
        {
            var sections = new List<byte[]>();
            Walk(clientBytes, null, sections);
            return sections.ToArray();
        }

        /// <summary>Splits at CRLF; after a DATA line, everything up to and including CRLF.CRLF is one section.</summary>
        private static void Walk(byte[] bytes, List<string>? commands, List<byte[]>? sections)
        {
            int i = 0;
            while (i < bytes.Length)
            {
                int lf = Array.IndexOf(bytes, (byte)'\n', i);
                int end = lf < 0 ? bytes.Length : lf + 1;
                string line = Encoding.Latin1.GetString(bytes, i, end - i).TrimEnd('\r', '\n');
                commands?.Add(line);
                i = end;
                if (!line.Equals("DATA", StringComparison.OrdinalIgnoreCase))
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
            }
        }

        private static int IndexOf(byte[] haystack, byte[] needle, int from)
        {
            int found = haystack.AsSpan(from).IndexOf(needle);
            return found < 0 ? -1 : from + found;
        }

        /// <summary>
        /// The RFC 5321 2.3.8 oracle for what follows 354 (RELIABILITY row 10): no CR without LF, no LF
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
