using System.Collections.Generic;
using System.Linq;
using System.Management.Automation;
using SmtpPs.Logging;
using SmtpPs.Routing;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Probes a server without sending mail: greeting, EHLO before and after STARTTLS, SIZE, AUTH
    /// mechanisms, TLS protocol, cipher and certificate, and whether the credentials work. One
    /// SmtpServerProbe object, even when the probe stopped early (its Error says why). With -Domain, every
    /// MX host of the domain, in preference order: why doesn't mail to a domain arrive.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "SmtpServer")]
    [OutputType(typeof(SmtpServerProbe))]
    public sealed class TestSmtpServerCommand : SmtpCmdletBase, IDialogueSink
    {
        private readonly List<SmtpReply> _replies = new List<SmtpReply>();
        private SmtpSession? _session;

        /// <summary>Probes every MX host of this domain (RFC 5321 5.1) instead of one -Server.</summary>
        [Parameter]
        [ValidateNotNullOrEmpty]
        public string? Domain { get; set; }

        protected override void EndProcessing()
        {
            if ((Domain == null) == (Server.Length == 0))
            {
                ThrowTerminatingError(ErrorRecords.InvalidArgument(Domain == null ? "ServerRequired" : "ServerAndDomain",
                    "Give -Server to probe one server, or -Domain to probe the MX hosts of a domain (one of the two).", Domain));
            }

            SessionOptions options = BuildSessionOptions();
            ProtocolLog log = CreateLog();
            if (Domain == null)
            {
                WriteObject(Probe(options, log, Server));
                return;
            }

            var resolver = new MxResolver(ParsedDnsServer, MxResolver.DefaultTimeout);
            MxRoute route = resolver.Resolve(Domain, log.Event, StopToken);
            SmtpRouteException? failure = route.Failure();
            if (failure != null)
            {
                log.Error(failure.Message);
                WriteError(ErrorRecords.SessionFault(failure, Domain, new List<SmtpMessageResult>()));
                WriteObject(new SmtpServerProbe(string.Empty, Port, new List<SmtpReply>(), null, failure.Message, false) { Domain = Domain });
                return;
            }

            foreach (MxHost host in route.Hosts)
            {
                _replies.Clear();
                SmtpServerProbe probe = host.Addresses.Count == 0
                    ? new SmtpServerProbe(host.Name, Port, _replies, null, $"{host.Name} has no address: {host.Problem}.", options.Credentials != null)
                    : Probe(options.For(host.Name, host.Addresses, host.Name), log, host.Name);
                probe.Domain = Domain;
                probe.Preference = host.Preference;
                probe.Addresses = host.Addresses.Select(a => a.ToString()).ToArray();
                WriteObject(probe);
            }
        }

        protected override void OnDispose() => _session?.Dispose();

        void IDialogueSink.OnReply(SmtpReply reply) => _replies.Add(reply);

        void IDialogueSink.OnProgress(string name, long done, long total)
        {
        }

        /// <summary>One server, as far as the options let the dialogue go, and QUIT.</summary>
        private SmtpServerProbe Probe(SessionOptions options, ProtocolLog log, string name)
        {
            SmtpTlsInfo? refused = null;
            string? error = null;
            string answeredBy = string.Empty;
            try
            {
                _session = SmtpSession.Open(options, this, log, StopToken);
                answeredBy = _session.RemoteEndPoint.Address.ToString();
                SmtpReply? quit = _session.Quit();
                if (quit != null)
                {
                    WriteError(ErrorRecords.Rejected(quit, "The server did not accept QUIT."));
                }
            }
            catch (SmtpSessionRejectedException e)
            {
                error = e.Message;
                log.Error(e.Message);
                WriteError(ErrorRecords.Rejected(e.Reply, e.Explanation + "."));
            }
            catch (SmtpException e)
            {
                error = e.Message;
                log.Error(e.Message);
                refused = (e as SmtpTlsException)?.Presented;
                WriteError(ErrorRecords.SessionFault(e, $"{name}:{Port}", new List<SmtpMessageResult>()));
            }
            finally
            {
                _session?.Dispose();
                _session = null;
            }

            return new SmtpServerProbe(name, Port, _replies.ToList(), refused, error, options.Credentials != null) { AnsweredBy = answeredBy };
        }
    }
}
