using System;
using System.IO;
using System.Reflection;

namespace SmtpPs.Loader
{
    /// <summary>
    /// Loads the cmdlet assembly of this edition's folder (the folder this loader was loaded from) in a
    /// way that keeps the module's dependencies its own. Idempotent: <c>Import-Module -Force</c> gets the
    /// same assembly, since a loaded assembly can never be loaded again.
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
        /// Our own assemblies by simple name (SmtpPs, SmtpPs.Core, SmtpPs.Mime, ...), the loader excepted:
        /// the names the default context may be served. A third-party name never is.
        /// </summary>
        internal static bool IsOwnAssembly(string? name) =>
            name != null
            && name != typeof(ModuleLoader).Assembly.GetName().Name
            && (name == CmdletAssemblyName || name.StartsWith(CmdletAssemblyName + ".", System.StringComparison.Ordinal));
    }
}
