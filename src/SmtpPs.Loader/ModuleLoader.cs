using System;
using System.IO;
using System.Reflection;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace SmtpPs.Loader
{
    /// <summary>
    /// Loads the cmdlets' assembly so that the module's dependencies stay its own: from Desktop/ with an
    /// AssemblyResolve handler on Windows PowerShell 5.1, from Core/ into SmtpPs's own AssemblyLoadContext on
    /// PowerShell 7 (SmtpPs.LoadContext.dll, which needs .NET 8 and so cannot be this netstandard2.0
    /// assembly). Idempotent: <c>Import-Module -Force</c> gets the same assembly, since a loaded assembly
    /// can never be loaded again.
    /// </summary>
    internal static class ModuleLoader
    {
        private const string CmdletAssemblyName = "SmtpPs";
        private const string LoadContextAssembly = "SmtpPs.LoadContext";
        private const string LoadContextType = "SmtpPs.LoadContext.ModuleLoadContext";
        private static readonly object Gate = new object();
        private static Assembly? cmdlets;

        internal static Assembly LoadCmdletAssembly(out bool loadedBefore)
        {
            lock (Gate)
            {
                loadedBefore = cmdlets != null;
                if (cmdlets == null)
                {
                    string root = Path.GetDirectoryName(typeof(ModuleLoader).Assembly.Location)!;
                    cmdlets = RuntimeInformation.FrameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase)
                        ? DesktopAssemblyResolver.Initialize(Path.Combine(root, "Desktop"), CmdletAssemblyName)
                        : LoadIntoOwnContext(Path.Combine(root, "Core"));
                }

                return cmdlets;
            }
        }

        // Apart, so that nothing of it is compiled on .NET Framework.
        [MethodImpl(MethodImplOptions.NoInlining)]
        private static Assembly LoadIntoOwnContext(string core)
        {
            if (Environment.Version.Major < 8)
            {
                throw new PlatformNotSupportedException(
                    $"SmtpPs needs PowerShell 7.4 or later (.NET 8), or Windows PowerShell 5.1; this process runs {RuntimeInformation.FrameworkDescription}.");
            }

            // The ReadyToRun image of this platform when the build made one (the code precompiled), else the IL.
            string native = Path.Combine(core, PlatformName(), LoadContextAssembly + ".dll");
            string path = File.Exists(native) ? native : Path.Combine(core, LoadContextAssembly + ".dll");
            return (Assembly)Assembly.LoadFrom(path).GetType(LoadContextType, throwOnError: true)!
                .GetMethod("LoadCmdletAssembly", BindingFlags.Public | BindingFlags.Static)!
                .Invoke(null, new object[] { core, CmdletAssemblyName })!;
        }

        /// <summary>The runtime identifier the build names ReadyToRun folders by: win-x64, linux-x64, osx-arm64.</summary>
        internal static string PlatformName()
        {
            string os = RuntimeInformation.IsOSPlatform(OSPlatform.Windows) ? "win" : RuntimeInformation.IsOSPlatform(OSPlatform.OSX) ? "osx" : "linux";
            return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }
    }
}
