using System;
using System.Collections;
using System.IO;
using System.Reflection;

namespace SmtpPs.Loader
{
    /// <summary>
    /// What SmtpPs.psm1 calls on import: loads the cmdlet assembly of this edition's folder (the folder
    /// this loader was loaded from) in a way that keeps the module's dependencies its own, and returns it
    /// for <c>Import-Module -Assembly</c>. Idempotent: <c>Import-Module -Force</c> gets the same assembly,
    /// since a loaded assembly can never be loaded again.
    /// </summary>
    public static class ModuleLoader
    {
        /// <summary>The cmdlets' assembly, the one the module imports.</summary>
        internal const string CmdletAssemblyName = "SmtpPs";

        public static Assembly LoadCmdletAssembly()
        {
            string directory = Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location)!;
#if NETCOREAPP
            return ModuleLoadContext.Initialize(directory);
#else
            return DesktopAssemblyResolver.Initialize(directory);
#endif
        }

        /// <summary>
        /// Adds the cmdlets of the module <c>Import-Module -Assembly</c> returned to SmtpPs.psm1's module.
        /// <c>Import-Module -Force</c> runs SmtpPs.psm1 again, but PowerShell hands back its cached inner
        /// module without adding the cmdlets to the new outer one, which would then export none
        /// (https://github.com/PowerShell/PowerShell/issues/20710); PSOpenAD adds them the same way. Both
        /// arguments are PSModuleInfo objects, taken by reflection: the loader references no PowerShell.
        /// </summary>
        public static void ExportCmdlets(object outerModule, object innerModule)
        {
            MethodInfo add = outerModule.GetType().GetMethod("AddExportedCmdlet", BindingFlags.Instance | BindingFlags.NonPublic)
                ?? throw new MissingMethodException("PSModuleInfo.AddExportedCmdlet");
            var cmdlets = (IDictionary)innerModule.GetType().GetProperty("ExportedCmdlets")!.GetValue(innerModule)!;
            foreach (object cmdlet in cmdlets.Values)
            {
                add.Invoke(outerModule, new[] { cmdlet });
            }
        }

        /// <summary>
        /// Our own assemblies by simple name (SmtpPs, SmtpPs.Core, SmtpPs.Mime, ...), the loader excepted:
        /// the names the default context may be served. A third-party name never is.
        /// </summary>
        internal static bool IsOwnAssembly(string? name) =>
            name != null
            && name != typeof(ModuleLoader).Assembly.GetName().Name
            && (name == CmdletAssemblyName || name.StartsWith(CmdletAssemblyName + ".", System.StringComparison.Ordinal));
    }
}
