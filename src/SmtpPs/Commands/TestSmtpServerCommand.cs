using System.Collections.Generic;
using System.Management.Automation;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Probes a server without sending mail: greeting, EHLO before and after STARTTLS, SIZE, AUTH
    /// mechanisms, TLS protocol, cipher and certificate, and whether the credentials work. One
    /// SmtpServerProbe object, even when the probe stopped early (its Error says why).
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "SmtpServer")]
    [OutputType(typeof(SmtpServerProbe))]
    public sealed class TestSmtpServerCommand : SmtpCmdletBase
    {
        private readonly List<SmtpReply> _replies = new List<SmtpReply>();
        private SmtpSession? _session;

        protected override void EndProcessing()
        {
            SessionOptions options = BuildSessionOptions();
            SmtpTlsInfo? refused = null;
            string? error = null;
            try
            {
                _session = SmtpSession.Open(options, CreateObserver(), StopToken);
                _session.Quit();
            }
            catch (SmtpSessionRejectedException e)
            {
                error = e.Message; // already written as an error record with the reply
            }
            catch (SmtpException e)
            {
                error = e.Message;
                refused = (e as SmtpTlsException)?.Presented;
                WriteError(ErrorRecords.SessionFault(e, Target, new List<SmtpMessageResult>()));
            }
            finally
            {
                _session?.Dispose();
                _session = null;
            }

            WriteObject(new SmtpServerProbe(Server, Port, _replies, refused, error, options.Credentials != null));
        }

        protected override void OnDispose() => _session?.Dispose();

        internal override void OnReply(SmtpReply reply) => _replies.Add(reply);
    }
}
