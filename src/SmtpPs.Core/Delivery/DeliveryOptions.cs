using System;
using SmtpPs.Routing;
using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>How a batch is delivered: the session options, the route (a relay, or MX routing), and retries.</summary>
    internal sealed class DeliveryOptions
    {
        public DeliveryOptions(SessionOptions session, bool mxRouting)
        {
            Session = session;
            MxRouting = mxRouting;
        }

        /// <summary>What every session needs; with MX routing, its server and addresses are each MX host's.</summary>
        public SessionOptions Session { get; }

        /// <summary>True when no relay was given: each recipient domain's mail goes to its MX hosts (RFC 5321 5.1).</summary>
        public bool MxRouting { get; }

        /// <summary>The DNS server to ask (MX records, and the relay's addresses); null for the system's.</summary>
        public DnsServerAddress? DnsServer { get; set; }

        /// <summary>How many times a transient failure is tried again (0: never).</summary>
        public int MaxRetries { get; set; }

        /// <summary>The wait before the first retry; it doubles for each later one.</summary>
        public TimeSpan RetryInterval { get; set; } = TimeSpan.FromSeconds(5);

        /// <summary>No retry round starts after this time (UTC); null for no limit but the count.</summary>
        public DateTime? RetryUntil { get; set; }

        /// <summary>Send a message whose outcome is Unknown again, when it has a Message-ID a receiver can drop a duplicate by.</summary>
        public bool RetryUnknown { get; set; }

        /// <summary>Shuffles MX hosts of equal preference; seeded in tests.</summary>
        public Random? Random { get; set; }

        /// <summary>The wait before retry round <paramref name="round"/> (1 for the first retry): the interval, doubled each round.</summary>
        public TimeSpan WaitBefore(int round) =>
            TimeSpan.FromTicks(RetryInterval.Ticks * (1L << Math.Min(round - 1, 16)));
    }
}
