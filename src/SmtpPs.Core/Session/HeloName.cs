using System;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace SmtpPs.Session
{
    /// <summary>
    /// The name the client gives in EHLO/HELO (RFC 5321 4.1.1.1, 4.1.4): a fully qualified domain name,
    /// or an address literal when the machine has none (hazards: H-HELO).
    /// </summary>
    internal static class HeloName
    {
        /// <summary>Why <paramref name="name"/> cannot be sent in EHLO, or null.</summary>
        public static string? Check(string name)
        {
            if (name.Length == 0)
            {
                return "The HELO name is empty.";
            }

            if (name.StartsWith("[", StringComparison.Ordinal))
            {
                return AddressLiteral.IsValid(name) ? null : $"'{name}' is not an address literal such as [192.0.2.1] or [IPv6:2001:db8::1].";
            }

            return IsDomain(name) ? null : $"'{name}' is not a domain name: use letters, digits, '-' and dots, up to 255 characters.";
        }

        /// <summary>The machine's FQDN, else the literal of the address the connection left from.</summary>
        public static string ForThisMachine(IPEndPoint? localEndPoint)
        {
            string? fqdn = MachineFqdn();
            if (fqdn != null)
            {
                return fqdn;
            }

            IPAddress address = localEndPoint?.Address ?? IPAddress.Loopback;
            if (address.IsIPv4MappedToIPv6)
            {
                address = address.MapToIPv4();
            }

            if (address.AddressFamily == AddressFamily.InterNetworkV6)
            {
                address.ScopeId = 0;
                return $"[IPv6:{address}]";
            }

            return $"[{address}]";
        }

        private static string? MachineFqdn()
        {
            try
            {
                IPGlobalProperties properties = IPGlobalProperties.GetIPGlobalProperties();
                string host = properties.HostName ?? string.Empty;
                string domain = properties.DomainName ?? string.Empty;
                string candidate = host.IndexOf('.') >= 0 || domain.Length == 0 || domain == "(none)"
                    ? host
                    : host + "." + domain;
                return candidate.IndexOf('.') > 0 && IsDomain(candidate) ? candidate : null;
            }
            catch (NetworkInformationException)
            {
                return null;
            }
        }

        private static bool IsDomain(string name)
        {
            if (name.Length > 255)
            {
                return false;
            }

            foreach (string label in name.Split('.'))
            {
                if (label.Length == 0 || label.Length > 63 || label[0] == '-' || label[label.Length - 1] == '-')
                {
                    return false;
                }

                foreach (char c in label)
                {
                    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '-';
                    if (!ok)
                    {
                        return false;
                    }
                }
            }

            return true;
        }
    }
}
