using System.Net;
using System.Net.Sockets;

namespace SmtpPs.Session
{
    /// <summary>
    /// An address literal as RFC 5321 4.1.3 writes it: [192.0.2.1] (four decimal numbers of at most three
    /// digits, each at most 255) or [IPv6:2001:db8::1] (hex groups, '::', an IPv4 tail), and nothing else:
    /// no hexadecimal IPv4 ([0x7f.1.1.1]), no zone index ([IPv6:::1%eth0]), no text the system's address
    /// parser would skip over. Strictness here is what keeps such a literal out of an EHLO line.
    /// </summary>
    internal static class AddressLiteral
    {
        public static bool IsValid(string literal)
        {
            if (literal.Length < 3 || literal[0] != '[' || literal[literal.Length - 1] != ']')
            {
                return false;
            }

            string inner = literal.Substring(1, literal.Length - 2);
            if (inner.StartsWith("IPv6:", System.StringComparison.OrdinalIgnoreCase))
            {
                string v6 = inner.Substring(5);
                foreach (char c in v6)
                {
                    bool hex = (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
                    if (!hex && c != ':' && c != '.')
                    {
                        return false;
                    }
                }

                return v6.Length > 1 && IPAddress.TryParse(v6, out IPAddress? address) && address.AddressFamily == AddressFamily.InterNetworkV6;
            }

            return IsIPv4(inner);
        }

        /// <summary>Snum 3("." Snum), Snum = 1*3DIGIT representing 0 to 255.</summary>
        public static bool IsIPv4(string text)
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

                int value = 0;
                foreach (char c in part)
                {
                    if (c < '0' || c > '9')
                    {
                        return false;
                    }

                    value = (value * 10) + (c - '0');
                }

                if (value > 255)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
