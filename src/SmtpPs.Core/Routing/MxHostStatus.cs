namespace SmtpPs.Routing
{
    /// <summary>How the address lookup (AAAA and A) of one mail host went.</summary>
    internal enum MxHostStatus
    {
        /// <summary>The host has at least one address.</summary>
        Resolved,

        /// <summary>The host name does not exist or has neither AAAA nor A record: a permanent fault of the domain's DNS.</summary>
        NotFound,

        /// <summary>The lookup failed (server failure, refusal, timeout): a later attempt may find addresses.</summary>
        LookupFailed,
    }
}
