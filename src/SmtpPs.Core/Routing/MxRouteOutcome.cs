namespace SmtpPs.Routing
{
    /// <summary>What the DNS said about where mail for a domain goes (RFC 5321 5.1).</summary>
    internal enum MxRouteOutcome
    {
        /// <summary>MX records name the hosts to try, in preference order; at least one has an address.</summary>
        MxHosts,

        /// <summary>No MX record: the domain's own A/AAAA records are its one mail host (RFC 5321 5.1).</summary>
        ImplicitMx,

        /// <summary>The domain was an address literal or an IP address: no lookup was needed.</summary>
        AddressLiteral,

        /// <summary>Permanent: the domain publishes "MX 0 ." and accepts no mail (RFC 7505). Nothing may connect.</summary>
        NullMx,

        /// <summary>Permanent: the domain does not exist (NXDOMAIN).</summary>
        DomainNotFound,

        /// <summary>Permanent: the domain exists, but no mail host has an address (its MX hosts do not resolve, or it has neither MX nor address).</summary>
        NoMailHost,

        /// <summary>Permanent: the text is not a domain name that DNS could be asked about.</summary>
        InvalidDomain,

        /// <summary>Transient: the DNS server failed, refused or did not answer in time; a later attempt may succeed.</summary>
        TransientFailure,
    }
}
