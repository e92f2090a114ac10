using System.Linq;
using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Clear-SmtpTestFault: removes a test server's faults (all, or those given), so it behaves normally again.</summary>
    [Cmdlet(VerbsCommon.Clear, "SmtpTestFault", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    public sealed class ClearSmtpTestFaultCommand : SmtpTestCmdletBase
    {
        /// <summary>Only these faults (from Get-SmtpTestFault or Add-SmtpTestFault -PassThru).</summary>
        [Parameter(ValueFromPipeline = true)]
        [ValidateNotNullOrEmpty]
        public SmtpTestFault[]? Fault { get; set; }

        protected override void ProcessRecord()
        {
            // Faults piped in from Get-SmtpTestFault are found on whichever running server holds them.
            var servers = Server ?? (Fault != null ? SmtpTestServer.Running : ResolveServers());
            foreach (SmtpTestServer server in servers)
            {
                var faults = Fault ?? server.Faults.ToArray();
                foreach (SmtpTestFault fault in faults.Where(f => server.Faults.Contains(f)))
                {
                    if (ShouldProcess(server.ToString(), $"Remove fault #{fault.Id} ({fault})"))
                    {
                        server.RemoveFault(fault);
                    }
                }
            }
        }
    }
}
