using System.Collections.Generic;
using System.Management.Automation;
using SmtpPs.Logging;
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
    public sealed class TestSmtpServerCommand : SmtpCmdletBase, IDialogueSink
    {
        private readonly List<SmtpReply> _replies = new List<SmtpReply>();
        private SmtpSession? _session;

        protected override void EndProcessing()
        {
            SessionOptions options = BuildSessionOptions();
            ProtocolLog log = CreateLog();
            SmtpTlsInfo? refused = null;
            string? error = null;
            try
            {
                _session = SmtpSession.Open(options, this, log, StopToken);
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

        void IDialogueSink.OnReply(SmtpReply reply) => _replies.Add(reply);

        void IDialogueSink.OnProgress(string name, long done, long total)
        {
        }
    }
}
