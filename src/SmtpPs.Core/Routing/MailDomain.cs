using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmtpPs.Routing
{
    /// <summary>
    /// The part of a recipient address after '@', as DNS needs it: a domain name in ASCII (IDNA A-labels),
    /// or an address literal that needs no lookup at all (RFC 5321 4.1.3).
    /// </summary>
    internal sealed class MailDomain
    {
        public const int MaxNameLength = 253;  // RFC 1035 2.3.4: 255 octets on the wire, less the length octets
        public const int MaxLabelLength = 63;  // RFC 1035 2.3.4

        private static readonly IdnMapping Idn = new IdnMapping { UseStd3AsciiRules = true };

        private MailDomain(string text, string? asciiName, IPAddress? literal)
        {
            Text = text;
            AsciiName = asciiName;
            Literal = literal;
        }

        /// <summary>The domain as given, for messages.</summary>
        public string Text { get; }

        /// <summary>The name to look up, in ASCII and without the trailing dot; null for a literal.</summary>
        public string? AsciiName { get; }

        /// <summary>The address of <c>[192.0.2.1]</c>, <c>[IPv6:2001:db8::1]</c> or a bare IP address.</summary>
        public IPAddress? Literal { get; }

        public static MailDomain? Parse(string? text, out string reason)
        {
            reason = string.Empty;
            string value = text ?? string.Empty;
            if (value.Length == 0)
            {
                reason = "The domain is empty.";
                return null;
            }

            if (value[0] == '[')
            {
                IPAddress? literal = ParseLiteral(value);
                if (literal == null)
                {
                    reason = $"'{value}' is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1] (RFC 5321 4.1.3).";
                    return null;
                }

                return new MailDomain(value, null, literal);
            }

            // A bare IP address is no domain name (RFC 5321 4.1.3 wants brackets), but it can only mean one thing.
            if (value.IndexOf(':') >= 0 || IsDottedQuad(value))
            {
                if (IPAddress.TryParse(value, out IPAddress? bare))
                {
                    return new MailDomain(value, null, bare);
                }

                reason = $"'{value}' is neither a domain name nor an IP address.";
                return null;
            }

            string name = value.EndsWith(".", StringComparison.Ordinal) ? value.Substring(0, value.Length - 1) : value;
            string ascii;
            try
            {
                // Letters, digits and hyphens only (RFC 5321 4.1.2 sub-domain), after IDNA (RFC 5890).
                ascii = Idn.GetAscii(name);
            }
            catch (ArgumentException)
            {
                reason = $"'{value}' is not a valid domain name: only letters, digits, hyphens and non-empty labels between dots.";
                return null;
            }

            if (ascii.Length > MaxNameLength)
            {
                reason = $"'{value}' is {ascii.Length} characters long in DNS; a domain name has at most {MaxNameLength}.";
                return null;
            }

            foreach (string label in ascii.Split('.'))
            {
                if (label.Length > MaxLabelLength)
                {
                    reason = $"'{value}' has a label of {label.Length} characters; DNS allows {MaxLabelLength}.";
                    return null;
                }
            }

            return new MailDomain(value, ascii.ToLowerInvariant(), null);
        }

        public override string ToString() => Text;

        private static IPAddress? ParseLiteral(string value)
        {
            if (!value.EndsWith("]", StringComparison.Ordinal) || value.Length < 3)
            {
                return null;
            }

            string inner = value.Substring(1, value.Length - 2);
            if (inner.StartsWith("IPv6:", StringComparison.OrdinalIgnoreCase))
            {
                inner = inner.Substring(5);
                return IPAddress.TryParse(inner, out IPAddress? tagged) && tagged.AddressFamily == AddressFamily.InterNetworkV6
                    ? tagged
                    : null;
            }

            if (inner.IndexOf(':') >= 0)
            {
                // [2001:db8::1] without its "IPv6:" tag: not RFC 5321 syntax, but unambiguous.
                return IPAddress.TryParse(inner, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6 ? v6 : null;
            }

            return IsDottedQuad(inner) && IPAddress.TryParse(inner, out IPAddress? v4) ? v4 : null;
        }

        /// <summary>Four decimal parts: IPAddress.TryParse alone also takes "10.1" and "53" (inet_aton's shorthands).</summary>
        internal static bool IsDottedQuad(string text)
        {
            string[] parts = text.Split('.');
            if (parts.Length != 4)
            {
                return false;
            }

            foreach (string part in parts)
            {
                if (part.Length == 0 || part.Length > 3)
                {
                    return false;
                }

                foreach (char c in part)
                {
                    if (c < '0' || c > '9')
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
