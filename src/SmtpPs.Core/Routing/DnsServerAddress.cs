using System;
using System.Globalization;
using System.Net;
using System.Net.Sockets;

namespace SmtpPs.Routing
{
    /// <summary>
    /// The DNS server to ask instead of the system's: <c>address</c>, <c>address:port</c> or
    /// <c>[IPv6]:port</c>. Parsed before any I/O so that a bad value is refused with a reason.
    /// </summary>
    internal sealed class DnsServerAddress
    {
        public const int DefaultPort = 53; // RFC 1035 4.2

        private DnsServerAddress(IPEndPoint endPoint)
        {
            EndPoint = endPoint;
        }

        public IPEndPoint EndPoint { get; }

        /// <summary>
        /// The server <paramref name="text"/> names, or null with <paramref name="reason"/> saying why not.
        /// Only addresses: finding a DNS server by its name would need a DNS server.
        /// </summary>
        public static DnsServerAddress? Parse(string? text, out string reason)
        {
            reason = string.Empty;
            string value = (text ?? string.Empty).Trim();
            if (value.Length == 0)
            {
                reason = "The DNS server is empty; give an IP address, optionally with ':port'.";
                return null;
            }

            string host;
            string? port = null;
            if (value[0] == '[')
            {
                // [2001:db8::53] or [2001:db8::53]:5353, the bracket form of RFC 3986 3.2.2.
                int close = value.IndexOf(']');
                if (close < 0)
                {
                    reason = $"'{value}' opens '[' but never closes it; write an IPv6 server as [2001:db8::53]:5353.";
                    return null;
                }

                host = value.Substring(1, close - 1);
                string rest = value.Substring(close + 1);
                if (rest.Length > 0)
                {
                    if (rest[0] != ':')
                    {
                        reason = $"'{value}' has '{rest}' after ']'; only ':port' may follow.";
                        return null;
                    }

                    port = rest.Substring(1);
                }

                if (!IsIPv6(host))
                {
                    reason = $"'{host}' in brackets is not an IPv6 address.";
                    return null;
                }
            }
            else
            {
                int colon = value.IndexOf(':');
                if (colon >= 0 && value.IndexOf(':', colon + 1) < 0)
                {
                    host = value.Substring(0, colon);
                    port = value.Substring(colon + 1);
                }
                else
                {
                    // Two or more colons: a bare IPv6 address. "::1:5353" is a valid address by itself,
                    // so a port after a bare IPv6 address cannot be told apart: brackets are needed.
                    host = value;
                }
            }

            if (!TryParseAddress(host, out IPAddress? address))
            {
                reason = LooksLikeName(host)
                    ? $"'{host}' is a name, not an IP address; a DNS server is given by its address (finding it by name would need DNS)."
                    : $"'{host}' is not an IPv4 address (four numbers, 192.0.2.53) or an IPv6 address.";
                return null;
            }

            if (address!.Equals(IPAddress.Any) || address.Equals(IPAddress.IPv6Any))
            {
                reason = $"'{host}' is the unspecified address, which names no server.";
                return null;
            }

            if (address.Equals(IPAddress.Broadcast) || IsMulticast(address))
            {
                reason = $"'{host}' is a broadcast or multicast address, not one server.";
                return null;
            }

            int portNumber = DefaultPort;
            if (port != null && !TryParsePort(port, out portNumber))
            {
                reason = port.Length == 0
                    ? $"'{value}' ends with ':' but gives no port."
                    : $"'{port}' is not a port number from 1 to 65535.";
                return null;
            }

            return new DnsServerAddress(new IPEndPoint(address, portNumber));
        }

        public override string ToString() => EndPoint.AddressFamily == AddressFamily.InterNetworkV6
            ? $"[{EndPoint.Address}]:{EndPoint.Port}"
            : $"{EndPoint.Address}:{EndPoint.Port}";

        private static bool TryParseAddress(string host, out IPAddress? address)
        {
            address = null;
            if (host.IndexOf(':') >= 0)
            {
                return IsIPv6(host) && IPAddress.TryParse(host, out address);
            }

            // A port mistyped as an address ("53") must not become a server somewhere: four decimal parts only.
            if (!MailDomain.IsDottedQuad(host))
            {
                return false;
            }

            return IPAddress.TryParse(host, out address) && address.AddressFamily == AddressFamily.InterNetwork;
        }

        private static bool IsIPv6(string host) =>
            host.IndexOf(':') >= 0 && IPAddress.TryParse(host, out IPAddress? v6) && v6.AddressFamily == AddressFamily.InterNetworkV6;

        private static bool IsMulticast(IPAddress address) => address.AddressFamily == AddressFamily.InterNetworkV6
            ? address.IsIPv6Multicast
            : address.GetAddressBytes()[0] >= 224 && address.GetAddressBytes()[0] <= 239;

        private static bool TryParsePort(string text, out int port)
        {
            port = 0;
            return IsDigits(text) && text.Length <= 5 &&
                   int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out port) && port >= 1 && port <= 65535;
        }

        private static bool IsDigits(string text)
        {
            if (text.Length == 0)
            {
                return false;
            }

            foreach (char c in text)
            {
                if (c < '0' || c > '9')
                {
                    return false;
                }
            }

            return true;
        }

        private static bool LooksLikeName(string host)
        {
            bool hasLetter = false;
            foreach (char c in host)
            {
                if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'))
                {
                    hasLetter = true;
                }
                else if (!(c >= '0' && c <= '9') && c != '.' && c != '-')
                {
                    return false;
                }
            }

            return hasLetter;
        }
    }
}
