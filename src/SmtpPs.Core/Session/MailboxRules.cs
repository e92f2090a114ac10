using System;

namespace SmtpPs.Session
{
    /// <summary>
    /// What an envelope address may hold (RFC 5321 4.1.2, 4.5.3.1): checked before anything is sent, so
    /// that a bad address is a parameter error, not a server's refusal, and can never carry a command.
    /// </summary>
    internal static class MailboxRules
    {
        public const int MaxLocalPart = 64;   // RFC 5321 4.5.3.1.1
        public const int MaxDomain = 255;     // 4.5.3.1.2
        public const int MaxPath = 256;       // 4.5.3.1.3, with the angle brackets

        /// <summary>Why <paramref name="address"/> cannot be the reverse-path, or null. Empty is the null path.</summary>
        public static string? CheckSender(string address) => address.Length == 0 ? null : Check(address, allowPostmaster: false);

        /// <summary>Why <paramref name="address"/> cannot be a forward-path, or null.</summary>
        public static string? CheckRecipient(string address) => address.Length == 0
            ? "A recipient address is empty."
            : Check(address, allowPostmaster: true);

        private static string? Check(string address, bool allowPostmaster)
        {
            for (int i = 0; i < address.Length; i++)
            {
                char c = address[i];
                if (c == '\r' || c == '\n' || c == '\0')
                {
                    return $"The address contains a {(c == '\0' ? "NUL" : c == '\r' ? "CR" : "LF")} character, which could smuggle an SMTP command.";
                }

                if (c <= ' ' || c == '\u007f')
                {
                    return $"The address contains a space or control character at position {i + 1}.";
                }

                if (c == '<' || c == '>')
                {
                    return "The address contains '<' or '>'; give the bare address (user@example.org) without angle brackets.";
                }

                if (c >= '\u0080' && c <= '\u009f')
                {
                    return $"The address contains a control character at position {i + 1}.";
                }
            }

            // Lengths are in octets: a non-ASCII (SMTPUTF8, RFC 6531) address counts its UTF-8 bytes.
            int octets = System.Text.Encoding.UTF8.GetByteCount(address);
            if (octets + 2 > MaxPath)
            {
                return $"The address is {octets} octets long; a path is at most {MaxPath - 2} octets without its angle brackets.";
            }

            int at = address.LastIndexOf('@');
            if (at < 0)
            {
                if (allowPostmaster && string.Equals(address, "postmaster", StringComparison.OrdinalIgnoreCase))
                {
                    return null; // RFC 5321 4.1.1.3: RCPT TO:<Postmaster> needs no domain.
                }

                return "The address has no '@domain' part.";
            }

            if (at == 0)
            {
                return "The address has an empty local part.";
            }

            int localOctets = System.Text.Encoding.UTF8.GetByteCount(address.Substring(0, at));
            if (localOctets > MaxLocalPart)
            {
                return $"The local part is {localOctets} octets long; SMTP allows {MaxLocalPart}.";
            }

            string domain = address.Substring(at + 1);
            if (domain.Length == 0)
            {
                return "The address has an empty domain.";
            }

            if (domain.Length > MaxDomain)
            {
                return $"The domain is {domain.Length} octets long; SMTP allows {MaxDomain}.";
            }

            if (domain[0] != '[' && (domain.StartsWith(".", StringComparison.Ordinal) ||
                                     domain.EndsWith(".", StringComparison.Ordinal) ||
                                     domain.IndexOf("..", StringComparison.Ordinal) >= 0))
            {
                return "The domain has an empty label.";
            }

            return null;
        }
    }
}
