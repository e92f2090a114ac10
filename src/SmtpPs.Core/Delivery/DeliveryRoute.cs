using System;
using System.Collections.Generic;
using System.Threading;
using SmtpPs.Logging;
using SmtpPs.Routing;
using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>
    /// Where recipients go: every one to the relay the user named, or each domain to its MX hosts. A route
    /// splits a message's recipients into groups that share a session, and opens the session of a group.
    /// </summary>
    internal abstract class DeliveryRoute
    {
        /// <summary>The groups of recipients that go over one session each, by the key of that session.</summary>
        public abstract IEnumerable<KeyValuePair<string, List<string>>> Split(IEnumerable<string> recipients);

        /// <summary>Opens the session for <paramref name="key"/>, or throws what kept it from opening.</summary>
        public abstract SmtpSession Open(string key, IDialogueSink sink, ProtocolLog log, CancellationToken cancellation);

        /// <summary>What a result names as its server before any session answered.</summary>
        public abstract string Describe(string key);

        public static DeliveryRoute For(DeliveryOptions options)
        {
            MxResolver? resolver = options.DnsServer != null || options.MxRouting
                ? new MxResolver(options.DnsServer, MxResolver.DefaultTimeout, options.Random)
                : null;
            return options.MxRouting ? new MxDeliveryRoute(options.Session, resolver!) : new RelayRoute(options.Session, resolver);
        }
    }

    /// <summary>Every recipient to one relay: one session for the whole batch.</summary>
    internal sealed class RelayRoute : DeliveryRoute
    {
        private const string Key = "relay";
        private readonly SessionOptions _options;
        private readonly MxResolver? _resolver;

        public RelayRoute(SessionOptions options, MxResolver? resolver)
        {
            _options = options;
            _resolver = resolver;
        }

        public override IEnumerable<KeyValuePair<string, List<string>>> Split(IEnumerable<string> recipients)
        {
            yield return new KeyValuePair<string, List<string>>(Key, new List<string>(recipients));
        }

        public override string Describe(string key) => $"{_options.Server}:{_options.Port}";

        public override SmtpSession Open(string key, IDialogueSink sink, ProtocolLog log, CancellationToken cancellation)
        {
            if (_resolver == null)
            {
                return SmtpSession.Open(_options, sink, log, cancellation);
            }

            // A DNS server was given: the relay's name is resolved there too, not by the system.
            MxHost host = _resolver.ResolveHost(_options.Server, log.Event, cancellation);
            if (host.Addresses.Count == 0)
            {
                throw new SmtpConnectionException($"The server name '{_options.Server}' could not be resolved at {_resolver.DnsServer}: {host.Problem}.",
                    SmtpStage.Connect, nameNotResolved: true);
            }

            return SmtpSession.Open(_options.For(_options.Server, host.Addresses, _options.TlsServerName), sink, log, cancellation);
        }
    }

    /// <summary>
    /// MX routing (RFC 5321 5.1): the recipients of one domain over one session to the first of its MX
    /// hosts that takes the session, in preference order, each address of each host in turn. A host that
    /// does not answer, greets with 4xx (421 included), or fails TLS is passed over for the next.
    /// </summary>
    internal sealed class MxDeliveryRoute : DeliveryRoute
    {
        private readonly SessionOptions _options;
        private readonly MxResolver _resolver;
        private readonly Dictionary<string, MxRoute> _routes = new Dictionary<string, MxRoute>(StringComparer.OrdinalIgnoreCase);

        public MxDeliveryRoute(SessionOptions options, MxResolver resolver)
        {
            _options = options;
            _resolver = resolver;
        }

        public override IEnumerable<KeyValuePair<string, List<string>>> Split(IEnumerable<string> recipients)
        {
            var groups = new Dictionary<string, List<string>>(StringComparer.OrdinalIgnoreCase);
            var order = new List<string>();
            foreach (string recipient in recipients)
            {
                int at = recipient.LastIndexOf('@');
                string domain = at < 0 ? string.Empty : recipient.Substring(at + 1);
                if (!groups.TryGetValue(domain, out List<string>? group))
                {
                    groups[domain] = group = new List<string>();
                    order.Add(domain);
                }

                group.Add(recipient);
            }

            foreach (string domain in order)
            {
                yield return new KeyValuePair<string, List<string>>(domain, groups[domain]);
            }
        }

        public override string Describe(string key) => key.Length == 0 ? "(no domain)" : $"{key} (MX)";

        public override SmtpSession Open(string key, IDialogueSink sink, ProtocolLog log, CancellationToken cancellation)
        {
            if (key.Length == 0)
            {
                throw new SmtpRouteException(SmtpRouteFailure.InvalidDomain, key,
                    "An address without a domain (Postmaster) has nowhere to go by MX routing; give the server with -Server.");
            }

            MxRoute route = Route(key, log, cancellation);
            SmtpException? last = null;
            foreach (MxHost host in route.Hosts)
            {
                if (host.Addresses.Count == 0)
                {
                    log.Event($"{host.Name} is passed over: {host.Problem}.");
                    continue;
                }

                // The certificate is checked against the MX host's name (RFC 7817 for TLS on MX): never
                // against the recipient's domain, which the DNS answer, not the user, tied to this host.
                SessionOptions options = _options.For(host.Name, host.Addresses, host.Name);
                try
                {
                    log.Event($"Trying {host.Name} (MX preference {host.Preference}) for {key}.");
                    return SmtpSession.Open(options, sink, log, cancellation);
                }
                catch (SmtpException e) when (IsHostFailure(e))
                {
                    log.Event($"{host.Name} did not take the session ({e.Message.TrimEnd('.')}); trying the next MX host.");
                    last = e;
                }
            }

            throw last ?? new SmtpRouteException(SmtpRouteFailure.NoMailHost, key, route.Message);
        }

        /// <summary>
        /// What makes a host, not the domain, the problem (RFC 5321 5.1: try the next MX): it does not answer,
        /// it greets with 4xx or says 421, or its TLS fails.
        /// </summary>
        private static bool IsHostFailure(SmtpException e) => e switch
        {
            SmtpConnectionException _ => true,
            SmtpTimeoutException t => t.Stage == SmtpStage.Connect || t.Stage == SmtpStage.Greeting || t.Stage == SmtpStage.Ehlo,
            SmtpSessionRejectedException r => r.Reply.IsTransient,
            SmtpTlsException _ => true,
            _ => false,
        };

        private MxRoute Route(string domain, ProtocolLog log, CancellationToken cancellation)
        {
            if (!_routes.TryGetValue(domain, out MxRoute? route))
            {
                route = _resolver.Resolve(domain, log.Event, cancellation);
                _routes[domain] = route;
                log.Event(route.Message);
            }

            if (route.HasHosts)
            {
                return route;
            }

            // Not cached when transient: the next attempt asks again.
            if (route.IsTransientFailure)
            {
                _routes.Remove(domain);
            }

            throw route.Failure()!;
        }
    }
}
