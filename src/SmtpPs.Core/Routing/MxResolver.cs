using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using DnsClient;
using DnsClient.Protocol;

namespace SmtpPs.Routing
{
    /// <summary>
    /// Finds where mail for a domain goes (RFC 5321 5.1): its MX hosts in preference order, equal
    /// preferences shuffled, each with its AAAA and A addresses, all asked of one resolver (the system's,
    /// or the one given). Synchronous like the rest of the core: each query is bounded by what is left of
    /// one timeout for the whole domain, and cancellable.
    /// </summary>
    internal sealed class MxResolver
    {
        // Why caps: every address that does not answer costs a whole connect timeout (30 s by default),
        // and every host two more queries, so a domain listing dozens of hosts (or a host with dozens of
        // addresses) could hold one message for hours. Postfix stops after 5 addresses in all
        // (smtp_mx_address_limit); we try at most 5 hosts, and up to 4 addresses of each so that a host
        // with IPv6 and IPv4 keeps both families. Equal preferences are shuffled before the cut, so the
        // hosts left out differ from one delivery to the next.
        public const int MaxHosts = 5;
        public const int MaxAddressesPerHost = 4;

        /// <summary>The whole lookup of one domain: the MX query and then its hosts' addresses.</summary>
        public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(30);

        // One try of one query, as a stub resolver waits by default (resolv.conf "timeout:5"); DnsClient
        // retries twice more within the domain's timeout.
        private static readonly TimeSpan QueryTimeout = TimeSpan.FromSeconds(5);

        private const string SystemServers = "the system's DNS servers";

        private readonly DnsServerAddress? _server;
        private readonly TimeSpan _timeout;
        private readonly Random _random;
        private LookupClient? _client;

        /// <param name="server">The DNS server to ask; null for the system's (DnsClient reads them).</param>
        /// <param name="timeout">The bound on resolving one domain, all its queries together.</param>
        /// <param name="random">Shuffles equal preferences; pass a seeded one for a reproducible order.</param>
        public MxResolver(DnsServerAddress? server, TimeSpan timeout, Random? random = null)
        {
            if (timeout <= TimeSpan.Zero)
            {
                throw new ArgumentOutOfRangeException(nameof(timeout), "The DNS timeout must be positive.");
            }

            _server = server;
            _timeout = timeout;
            _random = random ?? new Random();
        }

        /// <summary>Who is asked: "address:port", or a phrase for the system's servers.</summary>
        public string DnsServer => _server?.ToString() ?? SystemServers;

        /// <summary>
        /// The route for <paramref name="domain"/> (the part after '@'). Never throws for DNS trouble: a
        /// failure is an outcome. Throws <see cref="OperationCanceledException"/> when cancelled.
        /// </summary>
        public MxRoute Resolve(string domain, Action<string> verbose, CancellationToken cancellation)
        {
            MailDomain? parsed = MailDomain.Parse(domain, out string reason);
            if (parsed == null)
            {
                return Route(domain, MxRouteOutcome.InvalidDomain, reason);
            }

            if (parsed.Literal != null)
            {
                verbose($"{domain} is an address literal: no DNS lookup, mail goes to {parsed.Literal}.");
                return Route(domain, MxRouteOutcome.AddressLiteral, $"{domain} is an address: mail goes to {parsed.Literal} directly.",
                    new[] { MxHost.Literal(domain, parsed.Literal) });
            }

            LookupClient? client = Client(out string? problem);
            if (client == null)
            {
                return Route(domain, MxRouteOutcome.TransientFailure, $"The MX records of {domain} could not be looked up: {problem}.");
            }

            long deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            string name = parsed.AsciiName!;
            verbose($"Looking up the MX records of {name} at {DnsServer}.");
            Answer mx = Wait(Start(client, name, QueryType.MX, cancellation), deadline, cancellation);
            if (mx.Failure != null)
            {
                return Route(domain, MxRouteOutcome.TransientFailure,
                    $"The MX lookup of {domain} at {DnsServer} failed: {mx.Failure}. A later attempt may succeed.");
            }

            if (mx.NameNotFound)
            {
                return Route(domain, MxRouteOutcome.DomainNotFound,
                    $"The domain {domain} does not exist: {DnsServer} answered NXDOMAIN.");
            }

            List<MxRecord> records = mx.Response!.Answers.MxRecords().ToList();
            if (records.Count == 0)
            {
                return ImplicitMx(client, domain, name, deadline, verbose, cancellation);
            }

            // RFC 7505 3: "MX 0 ." says the domain accepts no mail. It must stand alone; should other MX
            // records come with it, the domain has still said it takes no mail, and nothing is tried.
            if (records.Any(r => IsRoot(r.Exchange)))
            {
                verbose($"{name} publishes a null MX (MX 0 .): it accepts no mail.");
                return Route(domain, MxRouteOutcome.NullMx,
                    $"{domain} accepts no mail: it publishes a null MX record (MX 0 ., RFC 7505).");
            }

            List<(string Name, int Preference)> ordered = Order(records);
            int omitted = Math.Max(0, ordered.Count - MaxHosts);
            if (omitted > 0)
            {
                verbose($"{name} has {ordered.Count} MX hosts; only the first {MaxHosts} in order are tried.");
                ordered = ordered.Take(MaxHosts).ToList();
            }

            verbose($"{name} MX: " + string.Join(", ", ordered.Select(h => $"{h.Name} ({h.Preference})")) + ".");

            // Every host's AAAA and A queries go out at once; the answers are read in preference order.
            var pending = ordered.Select(h => StartAddresses(client, h.Name, cancellation)).ToList();
            var hosts = new List<MxHost>();
            for (int i = 0; i < ordered.Count; i++)
            {
                hosts.Add(Addresses(ordered[i].Name, ordered[i].Preference, pending[i], isImplicit: false, deadline, verbose,
                    cancellation));
            }

            if (hosts.Any(h => h.Status == MxHostStatus.Resolved))
            {
                string list = string.Join(", ", hosts.Select(h => h.Status == MxHostStatus.Resolved
                    ? $"{h.Name} ({h.Preference})"
                    : $"{h.Name} ({h.Preference}, {h.Problem})"));
                string more = omitted > 0 ? $"; {omitted} more MX record(s) left out (at most {MaxHosts} hosts are tried)" : string.Empty;
                return Route(domain, MxRouteOutcome.MxHosts, $"Mail for {domain} goes to {list}{more}.", hosts, omitted);
            }

            string problems = string.Join("; ", hosts.Select(h => $"{h.Name}: {h.Problem}"));
            return hosts.Any(h => h.Status == MxHostStatus.LookupFailed)
                ? Route(domain, MxRouteOutcome.TransientFailure,
                    $"No MX host of {domain} could be resolved ({problems}). A later attempt may succeed.", hosts, omitted)
                : Route(domain, MxRouteOutcome.NoMailHost,
                    $"{domain} has MX records, but none of its hosts has an address ({problems}).", hosts, omitted);
        }

        /// <summary>
        /// The addresses of one host name (a relay given by name), AAAA and A, from the same resolver as the
        /// MX lookups; an address or address literal needs no lookup. Never throws for DNS trouble.
        /// </summary>
        public MxHost ResolveHost(string name, Action<string> verbose, CancellationToken cancellation)
        {
            string bare = name.StartsWith("[", StringComparison.Ordinal) && name.EndsWith("]", StringComparison.Ordinal) ? name.Substring(1, name.Length - 2) : name;
            if (IPAddress.TryParse(bare, out IPAddress? address))
            {
                return MxHost.Literal(name, address);
            }

            LookupClient? client = Client(out string? problem);
            if (client == null)
            {
                return new MxHost(name, 0, MxHost.NoAddresses, MxHostStatus.LookupFailed, problem, isImplicit: false);
            }

            long deadline = Stopwatch.GetTimestamp() + (long)(_timeout.TotalSeconds * Stopwatch.Frequency);
            verbose($"Looking up the addresses of {name} at {DnsServer}.");
            return Addresses(name, 0, StartAddresses(client, name, cancellation), isImplicit: false, deadline, verbose, cancellation);
        }

        /// <summary>RFC 5321 5.1: no MX at all, so the domain itself is the one mail host, with preference 0.</summary>
        private MxRoute ImplicitMx(LookupClient client, string domain, string name, long deadline, Action<string> verbose,
            CancellationToken cancellation)
        {
            verbose($"{name} has no MX record; its own addresses are the implicit MX (RFC 5321 5.1).");
            MxHost host = Addresses(name, 0, StartAddresses(client, name, cancellation), isImplicit: true, deadline, verbose,
                cancellation);
            var hosts = new[] { host };
            return host.Status switch
            {
                MxHostStatus.Resolved => Route(domain, MxRouteOutcome.ImplicitMx,
                    $"{domain} has no MX record; mail goes to the domain's own address ({string.Join(", ", host.Addresses)}).", hosts),
                MxHostStatus.LookupFailed => Route(domain, MxRouteOutcome.TransientFailure,
                    $"{domain} has no MX record and its own addresses could not be looked up: {host.Problem}. A later attempt may succeed.",
                    hosts),
                _ => Route(domain, MxRouteOutcome.NoMailHost,
                    $"{domain} has neither an MX record nor an address of its own: it receives no mail.", hosts),
            };
        }

        /// <summary>By preference; equal preferences shuffled (RFC 5321 5.1: "randomize them to spread the load").</summary>
        private List<(string Name, int Preference)> Order(List<MxRecord> records)
        {
            // One entry per host, at its best preference. Sorting by name first makes the shuffle depend on
            // the seed alone, not on the order the DNS server happened to answer in.
            List<(string Name, int Preference)> hosts = records
                .GroupBy(r => HostName(r.Exchange), StringComparer.OrdinalIgnoreCase)
                .Select(g => (Name: g.Key, Preference: (int)g.Min(r => r.Preference)))
                .OrderBy(h => h.Preference)
                .ThenBy(h => h.Name, StringComparer.Ordinal)
                .ToList();

            for (int start = 0; start < hosts.Count;)
            {
                int end = start;
                while (end < hosts.Count && hosts[end].Preference == hosts[start].Preference)
                {
                    end++;
                }

                // Fisher-Yates within [start, end).
                for (int i = end - 1; i > start; i--)
                {
                    int j = start + _random.Next(i - start + 1);
                    (hosts[i], hosts[j]) = (hosts[j], hosts[i]);
                }

                start = end;
            }

            return hosts;
        }

        private static (Task<IDnsQueryResponse> V6, Task<IDnsQueryResponse> V4) StartAddresses(LookupClient client, string name,
            CancellationToken cancellation) =>
            (Start(client, name, QueryType.AAAA, cancellation), Start(client, name, QueryType.A, cancellation));

        /// <summary>
        /// Sends one query for the absolute name (no search domain is ever appended). Its failure is always
        /// observed, also when nobody waits for it any more (a timeout, a cancellation).
        /// </summary>
        private static Task<IDnsQueryResponse> Start(LookupClient client, string name, QueryType type, CancellationToken cancellation)
        {
            Task<IDnsQueryResponse> query = client.QueryAsync(name + ".", type, QueryClass.IN, cancellation);
            _ = query.ContinueWith(t => _ = t.Exception, CancellationToken.None, TaskContinuationOptions.OnlyOnFaulted, TaskScheduler.Default);
            return query;
        }

        private MxHost Addresses(string name, int preference, (Task<IDnsQueryResponse> V6, Task<IDnsQueryResponse> V4) queries,
            bool isImplicit, long deadline, Action<string> verbose, CancellationToken cancellation)
        {
            Answer v6 = Wait(queries.V6, deadline, cancellation);
            Answer v4 = Wait(queries.V4, deadline, cancellation);
            List<IPAddress> six = v6.Response?.Answers.AaaaRecords().Select(r => r.Address).Distinct().ToList() ?? new List<IPAddress>();
            List<IPAddress> four = v4.Response?.Answers.ARecords().Select(r => r.Address).Distinct().ToList() ?? new List<IPAddress>();

            // RFC 8305 4: alternate the families, IPv6 first, so that a cut keeps both and a broken IPv6
            // path costs one attempt, not all of them.
            var addresses = new List<IPAddress>();
            for (int i = 0; i < Math.Max(six.Count, four.Count) && addresses.Count < MaxAddressesPerHost; i++)
            {
                if (i < six.Count)
                {
                    addresses.Add(six[i]);
                }

                if (i < four.Count && addresses.Count < MaxAddressesPerHost)
                {
                    addresses.Add(four[i]);
                }
            }

            string? failure = v6.Failure ?? v4.Failure;
            if (addresses.Count > 0)
            {
                verbose($"{name} has the address(es) {string.Join(", ", addresses)}" +
                        (failure != null ? $" (one lookup failed: {failure})." : "."));
                return new MxHost(name, preference, addresses, MxHostStatus.Resolved, null, isImplicit);
            }

            string problem = failure != null
                ? $"its address lookup at {DnsServer} failed: {failure}"
                : v6.NameNotFound || v4.NameNotFound
                    ? "the name does not exist (NXDOMAIN)"
                    : "the name has no AAAA or A record";
            verbose($"{name}: {problem}.");
            return new MxHost(name, preference, MxHost.NoAddresses,
                failure != null ? MxHostStatus.LookupFailed : MxHostStatus.NotFound, problem, isImplicit);
        }

        /// <summary>Waits for one query within what is left of the domain's timeout; DNS trouble becomes an answer.</summary>
        private Answer Wait(Task<IDnsQueryResponse> query, long deadline, CancellationToken cancellation)
        {
            try
            {
                long left = deadline - Stopwatch.GetTimestamp();
                int milliseconds = (int)Math.Min(int.MaxValue, Math.Max(0, left * 1000 / Stopwatch.Frequency));
                if (milliseconds == 0 || !query.Wait(milliseconds, cancellation))
                {
                    return Answer.Failed($"no answer within {_timeout.TotalSeconds:0.###} s");
                }
            }
            catch (AggregateException e)
            {
                // DnsClient ends a cancelled query with its own exception: Ctrl+C must stay a cancellation.
                cancellation.ThrowIfCancellationRequested();
                return Answer.Failed(Describe(e.InnerException ?? e));
            }

            IDnsQueryResponse response = query.Result;
            return response.Header.ResponseCode switch
            {
                DnsHeaderResponseCode.NoError => Answer.Found(response),
                DnsHeaderResponseCode.NotExistentDomain => Answer.NotFound(),
                DnsHeaderResponseCode.ServerFailure => Answer.Failed("the server answered SERVFAIL (server failure)"),
                DnsHeaderResponseCode.Refused => Answer.Failed("the server answered REFUSED"),
                DnsHeaderResponseCode.FormatError => Answer.Failed("the server answered FORMERR (it could not read the query)"),
                DnsHeaderResponseCode code => Answer.Failed($"the server answered {code}"),
            };
        }

        private static string Describe(Exception e)
        {
            if (e is DnsResponseException dns)
            {
                if (dns.Code == DnsResponseCode.ConnectionTimeout)
                {
                    return "the server did not answer";
                }

                Exception? cause = dns.InnerException;
                return cause != null ? cause.Message : dns.DnsError;
            }

            return e.Message;
        }

        private LookupClient? Client(out string? problem)
        {
            problem = null;
            if (_client != null)
            {
                return _client;
            }

            LookupClientOptions options = _server != null ? new LookupClientOptions(_server.EndPoint) : new LookupClientOptions();
            options.Timeout = _timeout < QueryTimeout ? _timeout : QueryTimeout;
            try
            {
                _client = new LookupClient(options);
            }
            catch (InvalidOperationException e)
            {
                // DnsClient found no name server in the system's configuration.
                problem = $"no DNS server is configured on this system ({e.Message})";
            }

            return _client;
        }

        private MxRoute Route(string domain, MxRouteOutcome outcome, string message, IReadOnlyList<MxHost>? hosts = null,
            int omitted = 0) =>
            new MxRoute(domain, outcome, hosts ?? Array.Empty<MxHost>(), omitted, message, DnsServer);

        private static bool IsRoot(DnsString name) => name.Value == "." || name.Value.Length == 0;

        private static string HostName(DnsString name) => name.Value.TrimEnd('.').ToLowerInvariant();

        /// <summary>One query's result: a response, a name that does not exist, or why there is no answer.</summary>
        private sealed class Answer
        {
            private Answer(IDnsQueryResponse? response, bool nameNotFound, string? failure)
            {
                Response = response;
                NameNotFound = nameNotFound;
                Failure = failure;
            }

            public IDnsQueryResponse? Response { get; }

            public bool NameNotFound { get; }

            public string? Failure { get; }

            public static Answer Found(IDnsQueryResponse response) => new Answer(response, false, null);

            public static Answer NotFound() => new Answer(null, true, null);

            public static Answer Failed(string failure) => new Answer(null, false, failure);
        }
    }
}
