using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Clear-SmtpTestMessage: forgets the captured messages, the transaction records and the closed connections.</summary>
    [Cmdlet(VerbsCommon.Clear, "SmtpTestMessage", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    public sealed class ClearSmtpTestMessageCommand : SmtpTestCmdletBase
    {
        protected override void ProcessRecord()
        {
            foreach (SmtpTestServer server in ResolveServers())
            {
                if (ShouldProcess(server.ToString(), $"Clear {server.Messages.Count} captured message(s) and the transaction records"))
                {
                    server.Clear();
                }
            }
        }
    }
}
