using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Get-SmtpTestServer: the SMTP test servers running in this process.</summary>
    [Cmdlet(VerbsCommon.Get, "SmtpTestServer")]
    [OutputType(typeof(SmtpTestServer))]
    public sealed class GetSmtpTestServerCommand : PSCmdlet
    {
        protected override void EndProcessing()
        {
            WriteObject(SmtpTestServer.Running, enumerateCollection: true);
        }
    }
}
