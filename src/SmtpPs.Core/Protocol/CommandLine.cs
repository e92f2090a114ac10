using System;
using System.Text;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// The one choke point every command line passes before it reaches the wire (hazards: H-INJECT):
    /// whatever built the line, a CR, LF or NUL in it, a character outside ASCII, or a line over the
    /// RFC 5321 limit is refused here, so nothing a user passes can add a command.
    /// </summary>
    internal static class CommandLine
    {
        /// <summary>RFC 5321 4.5.3.1.4: a command line is at most 512 octets, CRLF included.</summary>
        public const int MaxLength = 512;

        /// <summary>
        /// Returns why <paramref name="command"/> cannot be sent, or null when it can. ESMTP parameters raise
        /// the limit by what their RFCs allow (<paramref name="allowance"/> octets: 26 for SIZE, RFC 1870;
        /// 16 for BODY, RFC 6152; 10 for SMTPUTF8, RFC 6531; 110 on MAIL and 500 on RCPT for DSN, RFC 3461 4).
        /// </summary>
        public static string? Check(string command, int allowance = 0) => CheckLength(command, MaxLength + allowance);

        private static string? CheckLength(string command, int maxLength)
        {
            if (command.Length == 0)
            {
                return "The command is empty.";
            }

            for (int i = 0; i < command.Length; i++)
            {
                char c = command[i];
                if (c == '\r' || c == '\n' || c == '\0')
                {
                    return $"The command contains a {(c == '\0' ? "NUL" : c == '\r' ? "CR" : "LF")} character at position {i + 1}.";
                }

                if ((c < ' ' && c != '\t') || (c >= '\u007f' && c <= '\u009f'))
                {
                    return $"The command contains the control character U+{(int)c:X4} at position {i + 1}.";
                }
            }

            // Octets, not characters: beyond ASCII (SMTPUTF8 addresses) a character takes several.
            int octets = Encoding.UTF8.GetByteCount(command) + 2;
            if (octets > maxLength)
            {
                return $"The command is {octets} octets long with its CRLF; SMTP allows {maxLength}.";
            }

            return null;
        }

        /// <summary>True when the line holds characters beyond ASCII, which only SMTPUTF8 allows (RFC 6531).</summary>
        public static bool NeedsUtf8(string command)
        {
            foreach (char c in command)
            {
                if (c > '\u007f')
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>RFC 4954 4: a line answering an AUTH challenge may be up to 12288 octets, and may be empty.</summary>
        public const int MaxSaslLength = 12288;

        /// <summary>The wire form of a SASL response line (base64, "*" or empty), with the same checks.</summary>
        public static byte[] EncodeSaslResponse(string line)
        {
            string? problem = line.Length == 0 ? null : CheckLength(line, MaxSaslLength);
            if (problem != null)
            {
                throw new InvalidOperationException(problem);
            }

            return Encoding.ASCII.GetBytes(line + "\r\n");
        }

        /// <summary>The wire form: the command and CRLF, or an exception when <see cref="Check"/> refuses it.</summary>
        public static byte[] Encode(string command, int allowance = 0)
        {
            string? problem = Check(command, allowance);
            if (problem != null)
            {
                // Reaching this means a caller skipped validation: a bug, never a server's doing.
                throw new InvalidOperationException(problem);
            }

            return Encoding.UTF8.GetBytes(command + "\r\n");
        }
    }
}
