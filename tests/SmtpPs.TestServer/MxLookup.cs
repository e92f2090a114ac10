using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Threading;
using SmtpPs.Routing;
using SmtpPs.Transport;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// The core's MX resolver and address-list connect, for Pester: plain data in and out. Always against
    /// a DNS server the test names (a loopback one it started), never the machine's resolvers.
    /// </summary>
    public static class MxLookup
    {
        public static int MaximumHosts => MxResolver.MaxHosts;

        public static int MaximumAddressesPerHost => MxResolver.MaxAddressesPerHost;

        /// <summary>Resolves <paramref name="domain"/> at <paramref name="dnsServer"/>; a seed makes the shuffle reproducible.</summary>
        public static MxLookupResult Resolve(string domain, string dnsServer, int? seed = null, double timeoutSeconds = 10)
        {
            DnsServerAddress server = LoopbackServer(dnsServer);
            var resolver = new MxResolver(server, TimeSpan.FromSeconds(timeoutSeconds), seed.HasValue ? new Random(seed.Value) : null);
            var verbose = new List<string>();
            MxRoute route = resolver.Resolve(domain, verbose.Add, CancellationToken.None);
            return new MxLookupResult(route, verbose.ToArray());
        }

        /// <summary>
        /// Resolves with a long timeout and cancels after <paramref name="cancelAfterMs"/>, as Ctrl+C would:
        /// returns the name of the exception that ended the lookup, or the outcome if none did.
        /// </summary>
        public static string ResolveAndCancel(string domain, string dnsServer, int cancelAfterMs, double timeoutSeconds = 120)
        {
            DnsServerAddress server = LoopbackServer(dnsServer);
            var resolver = new MxResolver(server, TimeSpan.FromSeconds(timeoutSeconds));
            using var cancellation = new CancellationTokenSource(cancelAfterMs);
            try
            {
                return resolver.Resolve(domain, _ => { }, cancellation.Token).Outcome.ToString();
            }
            catch (OperationCanceledException e)
            {
                return e.GetType().Name;
            }
        }

        /// <summary>What the core makes of a DNS server value: its endpoint, or the reason it refuses it.</summary>
        public static DnsServerParseResult ParseDnsServer(string? text)
        {
            DnsServerAddress? server = DnsServerAddress.Parse(text, out string reason);
            return new DnsServerParseResult(server != null, server?.ToString(), server?.EndPoint.Address.ToString(),
                server?.EndPoint.Port ?? 0, server == null ? reason : null);
        }

        /// <summary>
        /// Connects through the transport's address-list overload, as MX routing will, and returns the
        /// endpoint it reached (closing at once); a failure comes back as its message.
        /// </summary>
        public static string ConnectToAddresses(string host, string[] addresses, int port, double timeoutSeconds = 5)
        {
            IPAddress[] parsed = addresses.Select(IPAddress.Parse).ToArray();
            if (!parsed.All(IPAddress.IsLoopback))
            {
                throw new ArgumentException("Tests only connect to loopback addresses.", nameof(addresses));
            }

            try
            {
                using SmtpTransport transport = SmtpTransport.Connect(host, parsed, port, TimeSpan.FromSeconds(timeoutSeconds), _ => { },
                    CancellationToken.None);
                return transport.ToString();
            }
            catch (SmtpException e)
            {
                return e.GetType().Name + ": " + e.Message;
            }
        }

        private static DnsServerAddress LoopbackServer(string dnsServer)
        {
            DnsServerAddress server = DnsServerAddress.Parse(dnsServer, out string reason)
                ?? throw new ArgumentException("The tests name their own DNS server: " + reason, nameof(dnsServer));
            if (!IPAddress.IsLoopback(server.EndPoint.Address))
            {
                throw new ArgumentException("Tests only ask DNS servers on loopback.", nameof(dnsServer));
            }

            return server;
        }
    }

    public sealed class MxLookupResult
    {
        internal MxLookupResult(MxRoute route, string[] verbose)
        {
            Domain = route.Domain;
            Outcome = route.Outcome.ToString();
            Message = route.Message;
            DnsServer = route.DnsServer;
            HasHosts = route.HasHosts;
            IsPermanentFailure = route.IsPermanentFailure;
            IsTransientFailure = route.IsTransientFailure;
            EnhancedStatusCode = route.EnhancedStatusCode;
            OmittedHosts = route.OmittedHosts;
            Hosts = route.Hosts.Select(h => new MxLookupHost(h)).ToArray();
            Verbose = verbose;
        }

        public string Domain { get; }

        public string Outcome { get; }

        public string Message { get; }

        public string DnsServer { get; }

        public bool HasHosts { get; }

        public bool IsPermanentFailure { get; }

        public bool IsTransientFailure { get; }

        public string? EnhancedStatusCode { get; }

        public int OmittedHosts { get; }

        public MxLookupHost[] Hosts { get; }

        /// <summary>The host names in the order they would be tried.</summary>
        public string[] HostNames => Hosts.Select(h => h.Name).ToArray();

        public string[] Verbose { get; }
    }

    public sealed class MxLookupHost
    {
        internal MxLookupHost(MxHost host)
        {
            Name = host.Name;
            Preference = host.Preference;
            Addresses = host.Addresses.Select(a => a.ToString()).ToArray();
            Status = host.Status.ToString();
            Problem = host.Problem;
            IsImplicit = host.IsImplicit;
        }

        public string Name { get; }

        public int Preference { get; }

        public string[] Addresses { get; }

        public string Status { get; }

        public string? Problem { get; }

        public bool IsImplicit { get; }
    }

    public sealed class DnsServerParseResult
    {
        internal DnsServerParseResult(bool isValid, string? endPoint, string? address, int port, string? reason)
        {
            IsValid = isValid;
            EndPoint = endPoint;
            Address = address;
            Port = port;
            Reason = reason;
        }

        public bool IsValid { get; }

        /// <summary>"address:port", or "[v6]:port".</summary>
        public string? EndPoint { get; }

        public string? Address { get; }

        public int Port { get; }

        public string? Reason { get; }
    }
}
