using System;
using System.Collections.Generic;
using System.Net;

namespace SmtpPs.Routing
{
    /// <summary>One mail host of a domain: its name, MX preference and the addresses to try, in order.</summary>
    internal sealed class MxHost
    {
        public MxHost(string name, int preference, IReadOnlyList<IPAddress> addresses, MxHostStatus status, string? problem,
            bool isImplicit = false)
        {
            Name = name;
            Preference = preference;
            Addresses = addresses;
            Status = status;
            Problem = problem;
            IsImplicit = isImplicit;
        }

        /// <summary>The host name (no trailing dot), which TLS checks the certificate against; for a literal, the literal.</summary>
        public string Name { get; }

        /// <summary>The MX preference, lower first; 0 for the implicit MX (RFC 5321 5.1) and for a literal.</summary>
        public int Preference { get; }

        /// <summary>Where to connect, IPv6 and IPv4 interleaved (RFC 8305 4); empty unless <see cref="Status"/> is Resolved.</summary>
        public IReadOnlyList<IPAddress> Addresses { get; }

        public MxHostStatus Status { get; }

        /// <summary>Why the host has no address, in plain words; null when resolved.</summary>
        public string? Problem { get; }

        /// <summary>True when no MX record named this host: it is the domain itself (RFC 5321 5.1).</summary>
        public bool IsImplicit { get; }

        public override string ToString() => Addresses.Count > 0
            ? $"{Name} (preference {Preference}): {string.Join(", ", Addresses)}"
            : $"{Name} (preference {Preference}): {Problem}";

        internal static MxHost Literal(string text, IPAddress address) =>
            new MxHost(text, 0, new[] { address }, MxHostStatus.Resolved, null, isImplicit: true);

        internal static readonly IReadOnlyList<IPAddress> NoAddresses = Array.Empty<IPAddress>();
    }
}
