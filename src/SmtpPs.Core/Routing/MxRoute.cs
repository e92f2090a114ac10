using System.Collections.Generic;

namespace SmtpPs.Routing
{
    /// <summary>
    /// Where mail for one domain goes: the outcome of its MX lookup, the hosts to try in order (each with its
    /// addresses), and a message in plain words. Data only: the caller decides what to connect to and what
    /// to report.
    /// </summary>
    internal sealed class MxRoute
    {
        public MxRoute(string domain, MxRouteOutcome outcome, IReadOnlyList<MxHost> hosts, int omittedHosts, string message,
            string dnsServer)
        {
            Domain = domain;
            Outcome = outcome;
            Hosts = hosts;
            OmittedHosts = omittedHosts;
            Message = message;
            DnsServer = dnsServer;
        }

        /// <summary>The domain as the caller gave it.</summary>
        public string Domain { get; }

        public MxRouteOutcome Outcome { get; }

        /// <summary>
        /// The mail hosts in the order to try them: by preference, equal preferences shuffled (RFC 5321 5.1).
        /// Hosts whose lookup failed stay in the list with their <see cref="MxHost.Status"/>, so that a
        /// report can name them; only hosts with addresses can be connected to.
        /// </summary>
        public IReadOnlyList<MxHost> Hosts { get; }

        /// <summary>MX records beyond <see cref="MxResolver.MaxHosts"/>, which were not looked up.</summary>
        public int OmittedHosts { get; }

        /// <summary>What happened, in plain words (no parameter names: the caller adds its own hints).</summary>
        public string Message { get; }

        /// <summary>The DNS server that was asked, as "address:port", or a phrase for the system's servers.</summary>
        public string DnsServer { get; }

        /// <summary>True when there is something to connect to.</summary>
        public bool HasHosts => Outcome == MxRouteOutcome.MxHosts || Outcome == MxRouteOutcome.ImplicitMx ||
                                Outcome == MxRouteOutcome.AddressLiteral;

        /// <summary>True when mail for this domain cannot be delivered, now or later: do not retry.</summary>
        public bool IsPermanentFailure => Outcome == MxRouteOutcome.NullMx || Outcome == MxRouteOutcome.DomainNotFound ||
                                          Outcome == MxRouteOutcome.NoMailHost || Outcome == MxRouteOutcome.InvalidDomain;

        /// <summary>True when the lookup itself failed and a later attempt may succeed.</summary>
        public bool IsTransientFailure => Outcome == MxRouteOutcome.TransientFailure;

        /// <summary>
        /// The enhanced status code a delivery report gives a failure (RFC 3463; 5.1.10 is RFC 7505's, to go
        /// with reply code 556 of RFC 7504); null when there are hosts to try.
        /// </summary>
        public string? EnhancedStatusCode => Outcome switch
        {
            MxRouteOutcome.NullMx => "5.1.10",          // Recipient address has null MX
            MxRouteOutcome.DomainNotFound => "5.1.2",   // Bad destination system address
            MxRouteOutcome.InvalidDomain => "5.1.3",    // Bad destination mailbox address syntax
            MxRouteOutcome.NoMailHost => "5.4.4",       // Unable to route
            MxRouteOutcome.TransientFailure => "4.4.3", // Directory server failure
            _ => null,
        };

        /// <summary>Why the domain's mail has nowhere to go, as the exception that says so; null when it has hosts.</summary>
        public SmtpRouteException? Failure() => HasHosts ? null : new SmtpRouteException(Outcome switch
        {
            MxRouteOutcome.NullMx => SmtpRouteFailure.NullMx,
            MxRouteOutcome.DomainNotFound => SmtpRouteFailure.DomainNotFound,
            MxRouteOutcome.InvalidDomain => SmtpRouteFailure.InvalidDomain,
            MxRouteOutcome.NoMailHost => SmtpRouteFailure.NoMailHost,
            _ => SmtpRouteFailure.LookupFailed,
        }, Domain, Message);

        public override string ToString() => Message;
    }
}
