using System;
using System.Text;

namespace SmtpPs.Session
{
    /// <summary>
    /// What an envelope address may be (RFC 5321 4.1.2, 4.5.3.1; RFC 6531 for UTF-8): checked before
    /// anything is sent, so that a bad address is a parameter error, not a server's refusal, and can
    /// never carry a command (hazards: H-INJECT, H-ADDRESS). The reasons say what was probably meant.
    /// </summary>
    internal static class MailboxRules
    {
        public const int MaxLocalPart = 64;   // RFC 5321 4.5.3.1.1
        public const int MaxDomain = 255;     // 4.5.3.1.2
        public const int MaxPath = 256;       // 4.5.3.1.3, with the angle brackets

        /// <summary>RFC 5322 3.2.3 atext, the characters of a Dot-string's atoms besides letters, digits and UTF-8.</summary>
        private const string AtextSpecials = "!#$%&'*+-/=?^_`{|}~";

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

                if ((c < ' ' && c != '\t') || c == '\u007f' || (c >= '\u0080' && c <= '\u009f'))
                {
                    return $"The address contains a control character at position {i + 1}.";
                }
            }

            if (address.IndexOf('<') >= 0 || address.IndexOf('>') >= 0)
            {
                return "It has '<' or '>': give the bare address (user@example.org). A display name (\"Name <user@example.org>\") belongs in the message's To: header, not in the envelope.";
            }

            // Lengths are in octets: a non-ASCII (SMTPUTF8, RFC 6531) address counts its UTF-8 octets.
            int octets = Encoding.UTF8.GetByteCount(address);
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

                return Several(address) ?? "The address has no '@domain' part.";
            }

            string local = address.Substring(0, at);
            string domain = address.Substring(at + 1);
            return Several(local.StartsWith("\"", StringComparison.Ordinal) ? domain : address)
                ?? CheckLocalPart(local)
                ?? CheckDomain(domain);
        }

        /// <summary>A comma, semicolon or space between addresses: several addresses in one string.</summary>
        private static string? Several(string text)
        {
            if (text.IndexOf(',') >= 0 || text.IndexOf(';') >= 0 || (text.Trim().IndexOf(' ') > 0 && text.Split('@').Length > 2))
            {
                return "It looks like several addresses in one string: give them as separate values (-To a@example.org, b@example.org), not joined by ',', ';' or spaces.";
            }

            return null;
        }

        /// <summary>RFC 5321 4.1.2: a Dot-string of atext atoms, or a Quoted-string; at most 64 octets.</summary>
        private static string? CheckLocalPart(string local)
        {
            if (local.Length == 0)
            {
                return "The address has an empty local part.";
            }

            int octets = Encoding.UTF8.GetByteCount(local);
            if (octets > MaxLocalPart)
            {
                return $"The local part is {octets} octets long; SMTP allows {MaxLocalPart}.";
            }

            if (local.Length >= 2 && local[0] == '"' && local[local.Length - 1] == '"')
            {
                // Quoted-string: qtextSMTP and quoted-pairSMTP (printable ASCII and, with SMTPUTF8, UTF-8).
                for (int i = 1; i < local.Length - 1; i++)
                {
                    if (local[i] == '\\')
                    {
                        i++;
                        continue;
                    }

                    if (local[i] == '"')
                    {
                        return "The local part has an unescaped '\"' inside its quotes.";
                    }
                }

                return null;
            }

            string[] atoms = local.Split('.');
            foreach (string atom in atoms)
            {
                if (atom.Length == 0)
                {
                    return "The local part has an empty part between dots (or starts or ends with a dot); quote it if the server really wants it.";
                }

                foreach (char c in atom)
                {
                    if (!IsAtext(c))
                    {
                        return c == ' '
                            ? "The address contains a space: give the bare address (user@example.org), without a display name."
                            : $"The local part contains '{c}', which only a quoted local part may hold (RFC 5321 4.1.2).";
                    }
                }
            }

            return null;
        }

        /// <summary>RFC 5321 4.1.2: a domain of letter-digit-hyphen labels (UTF-8 labels with SMTPUTF8), or an address literal.</summary>
        private static string? CheckDomain(string domain)
        {
            if (domain.Length == 0)
            {
                return "The address has an empty domain.";
            }

            if (domain.Length > MaxDomain)
            {
                return $"The domain is {domain.Length} octets long; SMTP allows {MaxDomain}.";
            }

            if (domain[0] == '[')
            {
                return AddressLiteral.IsValid(domain) ? null : $"'{domain}' is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1].";
            }

            foreach (string label in domain.Split('.'))
            {
                if (label.Length == 0)
                {
                    return "The domain has an empty label.";
                }

                if (label[0] == '-' || label[label.Length - 1] == '-')
                {
                    return $"The domain label '{label}' starts or ends with '-'.";
                }

                foreach (char c in label)
                {
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-' || c > '\u007f';
                    if (!ok)
                    {
                        return c == ' '
                            ? "The address contains a space: give the bare address (user@example.org), without a display name."
                            : $"The domain contains '{c}'; a domain has letters, digits, '-' and dots.";
                    }
                }
            }

            return null;
        }

        private static bool IsAtext(char c) =>
            (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c > '\u007f' || AtextSpecials.IndexOf(c) >= 0;
    }
}
