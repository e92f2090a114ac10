using System.Collections.ObjectModel;
using System.Management.Automation;
using System.Reflection;

namespace SmtpPs.Loader
{
    /// <summary>
    /// Writes the cmdlets' assembly, loaded as this edition loads it (see <see cref="ModuleLoader"/>), for
    /// SmtpPs.psm1 to import. A cmdlet, not a static method: every .NET method call in a script costs
    /// PowerShell's binder its first-use compilation, which Import-Module would pay on every cold start.
    /// The manifest does not export it.
    /// </summary>
    [Cmdlet(VerbsCommon.Get, "SmtpPsCmdletAssembly")]
    [OutputType(typeof(Assembly))]
    public sealed class GetSmtpPsCmdletAssemblyCommand : PSCmdlet
    {
        private static readonly MethodInfo? AddExportedCmdlet =
            typeof(PSModuleInfo).GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic);

        protected override void EndProcessing()
        {
            Assembly assembly = ModuleLoader.LoadCmdletAssembly(out bool loadedBefore);
            if (loadedBefore)
            {
                ExportCmdletsOfEarlierImport(assembly);
            }

            WriteObject(assembly);
        }

        /// <summary>
        /// <c>Import-Module -Force</c> runs SmtpPs.psm1 again, but PowerShell hands back its cached module of
        /// the assembly without adding the cmdlets to the new SmtpPs module, which would then export none
        /// (https://github.com/PowerShell/PowerShell/issues/20710). So, on such an import only, the cmdlets of
        /// that cached module are added first, through the internal PSModuleInfo.AddExportedCmdlet, as
        /// PSOpenAD does.
        /// </summary>
        private void ExportCmdletsOfEarlierImport(Assembly assembly)
        {
            PSModuleInfo? outer = SessionState.Module;
            if (outer == null || AddExportedCmdlet == null)
            {
                return;
            }

            Collection<PSObject> modules = InvokeCommand.InvokeScript("Get-Module -All");
            foreach (PSObject item in modules)
            {
                if (item.BaseObject is PSModuleInfo module && module.ImplementingAssembly == assembly)
                {
                    foreach (CmdletInfo cmdlet in module.ExportedCmdlets.Values)
                    {
                        AddExportedCmdlet.Invoke(outer, new object[] { cmdlet });
                    }
                }
            }
        }
    }
}
