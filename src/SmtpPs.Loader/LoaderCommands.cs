using System.Management.Automation;
using System.Reflection;

namespace SmtpPs.Loader
{
    // SmtpPs.psm1 imports this assembly as a nested binary module and calls these two cmdlets. Cmdlets,
    // not static methods: every .NET method call in a script costs PowerShell's binder its first-use
    // compilation (hundreds of methods JIT-compiled), which Import-Module would pay on every cold start.
    // The manifest exports neither.

    /// <summary>Writes the cmdlets' assembly, loaded as this edition loads it (see <see cref="ModuleLoader"/>).</summary>
    [Cmdlet(VerbsCommon.Get, "SmtpPsCmdletAssembly")]
    [OutputType(typeof(Assembly))]
    public sealed class GetSmtpPsCmdletAssemblyCommand : PSCmdlet
    {
        protected override void EndProcessing() => WriteObject(ModuleLoader.LoadCmdletAssembly());
    }

    /// <summary>
    /// Adds the cmdlets of the piped module (what <c>Import-Module -Assembly -PassThru</c> returned) to the
    /// module of the calling script, SmtpPs.psm1. <c>Import-Module -Force</c> runs SmtpPs.psm1 again, but
    /// PowerShell hands back its cached inner module without adding the cmdlets to the new outer one,
    /// which would then export none (https://github.com/PowerShell/PowerShell/issues/20710); PSOpenAD
    /// adds them the same way, through the internal PSModuleInfo.AddExportedCmdlet.
    /// </summary>
    [Cmdlet(VerbsCommon.Add, "SmtpPsExportedCmdlet")]
    public sealed class AddSmtpPsExportedCmdletCommand : PSCmdlet
    {
        private static readonly MethodInfo? AddExportedCmdlet =
            typeof(PSModuleInfo).GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic);

        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public PSModuleInfo InnerModule { get; set; } = null!;

        protected override void ProcessRecord()
        {
            PSModuleInfo? outer = SessionState.Module;
            if (outer == null || AddExportedCmdlet == null)
            {
                return;
            }

            foreach (CmdletInfo cmdlet in InnerModule.ExportedCmdlets.Values)
            {
                AddExportedCmdlet.Invoke(outer, new object[] { cmdlet });
            }
        }
    }
}
