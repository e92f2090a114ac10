using System;
using System.Management.Automation;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Add-SmtpTestFault: scripts a fault of a test server (a reply, 421 and close, close without reply, greylisting, a delay).</summary>
    [Cmdlet(VerbsCommon.Add, "SmtpTestFault", DefaultParameterSetName = "Delay", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpTestFault))]
    public sealed class AddSmtpTestFaultCommand : SmtpTestCmdletBase
    {
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Reply")]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Disconnect")]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Drop")]
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = "Delay")]
        [Parameter(Position = 0, ParameterSetName = "Greylist")]
        public SmtpStage Stage { get; set; } = SmtpStage.RcptTo;

        [Parameter(Mandatory = true, Position = 1, ParameterSetName = "Reply")]
        [ValidateRange(200, 599)]
        public int Code { get; set; }

        /// <summary>The reply text, one string per line; an enhanced status code (5.1.1) goes first in the text.</summary>
        [Parameter(Position = 2, ParameterSetName = "Reply")]
        [Parameter(ParameterSetName = "Disconnect")]
        [ValidateNotNullOrEmpty]
        public string[]? Text { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Disconnect")]
        public SwitchParameter Disconnect { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Drop")]
        public SwitchParameter Drop { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Greylist")]
        public SwitchParameter Greylist { get; set; }

        [Parameter(Mandatory = true, ParameterSetName = "Delay")]
        [Parameter(ParameterSetName = "Reply")]
        [Parameter(ParameterSetName = "Disconnect")]
        [Parameter(ParameterSetName = "Drop")]
        [ValidateRange(0.0, 3600.0)]
        public double DelaySec { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNull]
        public string? Sender { get; set; }

        [Parameter]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string? Recipient { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        [ValidateRange(1, int.MaxValue)]
        public int[]? Occurrence { get; set; }

        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            SmtpTestFaultAction action = ParameterSetName switch
            {
                "Disconnect" => SmtpTestFaultAction.Disconnect,
                "Drop" => SmtpTestFaultAction.Drop,
                "Greylist" => SmtpTestFaultAction.Greylist,
                "Delay" => SmtpTestFaultAction.Delay,
                _ => SmtpTestFaultAction.Reply,
            };
            foreach (SmtpTestServer server in ResolveServers())
            {
                SmtpTestFault fault;
                try
                {
                    fault = new SmtpTestFault(Stage, action, Code, Text, TimeSpan.FromSeconds(DelaySec), Sender, Recipient, Occurrence);
                }
                catch (ArgumentException e)
                {
                    ThrowTerminatingError(new ErrorRecord(e, "InvalidSmtpTestFault", ErrorCategory.InvalidArgument, e.ParamName == "text" ? (object?)Text : Stage));
                    return;
                }

                if (ShouldProcess(server.ToString(), $"Add fault at {fault}"))
                {
                    server.AddFault(fault);
                    if (PassThru)
                    {
                        WriteObject(fault);
                    }
                }
            }
        }
    }
}
