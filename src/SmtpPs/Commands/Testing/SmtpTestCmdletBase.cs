using System.Collections.Generic;
using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>
    /// The testing cmdlets that work on a server: -Server from the pipeline, or, when it is left out,
    /// the one server this process runs.
    /// </summary>
    public abstract class SmtpTestCmdletBase : PSCmdlet
    {
        /// <summary>The server(s) to work on; left out, the only running one.</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNull]
        public SmtpTestServer[]? Server { get; set; }

        /// <summary>The servers named, or the only one running; writes an error and returns none otherwise.</summary>
        protected IReadOnlyList<SmtpTestServer> ResolveServers()
        {
            if (Server != null)
            {
                return Server;
            }

            IReadOnlyList<SmtpTestServer> running = SmtpTestServer.Running;
            if (running.Count == 1)
            {
                return running;
            }

            string? unsupported = SmtpPs.Testing.EngineLoader.UnsupportedReasonHere();
            if (unsupported != null)
            {
                // Windows PowerShell 5.1: no server can run here, and this is the reason to give.
                ThrowTerminatingError(new ErrorRecord(new System.PlatformNotSupportedException(unsupported), "SmtpTestServerNeedsPowerShell7", ErrorCategory.NotImplemented, null));
            }

            WriteError(running.Count == 0
                ? new ErrorRecord(new PSInvalidOperationException("No SMTP test server is running in this session. Start one with Start-SmtpTestServer, or pass the server object with -Server."),
                    "SmtpTestServerNotRunning", ErrorCategory.ObjectNotFound, null)
                : new ErrorRecord(new PSInvalidOperationException($"{running.Count} SMTP test servers are running; say which with -Server (or pipe the server object in)."),
                    "SmtpTestServerAmbiguous", ErrorCategory.InvalidOperation, running));
            return new SmtpTestServer[0];
        }
    }
}
