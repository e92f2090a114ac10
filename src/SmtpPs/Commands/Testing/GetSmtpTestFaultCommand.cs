using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Get-SmtpTestFault: a test server's scripted faults, with how often each matched and was applied.</summary>
    [Cmdlet(VerbsCommon.Get, "SmtpTestFault")]
    [OutputType(typeof(SmtpTestFault))]
    public sealed class GetSmtpTestFaultCommand : SmtpTestCmdletBase
    {
        protected override void ProcessRecord()
        {
            foreach (SmtpTestServer server in ResolveServers())
            {
                WriteObject(server.Faults, enumerateCollection: true);
            }
        }
    }
}
