using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Stop-SmtpTestServer: stops listening and closes the connections; the records stay readable.</summary>
    [Cmdlet(VerbsLifecycle.Stop, "SmtpTestServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpTestServer))]
    public sealed class StopSmtpTestServerCommand : SmtpTestCmdletBase
    {
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            foreach (SmtpTestServer server in ResolveServers())
            {
                if (ShouldProcess(server.ToString(), "Stop"))
                {
                    server.Stop();
                    WriteVerbose($"Stopped {server}: {server.Messages.Count} message(s) captured.");
                }

                if (PassThru)
                {
                    WriteObject(server);
                }
            }
        }
    }
}
