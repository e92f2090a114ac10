using System;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace SmtpPs.Loader
{
    /// <summary>
    /// PowerShell 7: SmtpPs's assemblies and the libraries they use (DnsClient, MimeKit, ...) load here,
    /// from the module's Core folder, and nowhere else. Another module that loaded a different version of
    /// one of those libraries into the default context keeps it, and SmtpPs gets its own: the scheme of
    /// PowerShell's "Resolving PowerShell module assembly dependency conflicts". Whatever the folder does
    /// not hold (the framework, System.Management.Automation) comes from the default context, so SmtpPs
    /// and PowerShell share one PowerShell and one runtime.
    /// Our own assemblies are looked for first in the folder of this platform (Core/linux-x64, ...),
    /// where the build puts their ReadyToRun images, then in Core itself (plain IL, any platform).
    /// </summary>
    internal sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private static readonly object Gate = new object();
        private static ModuleLoadContext? instance;

        private readonly string[] directories;

        private ModuleLoadContext(string directory)
            : base("SmtpPs", isCollectible: false)
        {
            string native = Path.Combine(directory, PlatformName());
            directories = Directory.Exists(native) ? new[] { native, directory } : new[] { directory };
        }

        /// <summary>Creates the context once per process and returns the cmdlets' assembly from it.</summary>
        internal static Assembly Initialize(string directory)
        {
            lock (Gate)
            {
                if (instance == null)
                {
                    instance = new ModuleLoadContext(directory);
                    // Code in the default context that was compiled against our assemblies (the tests'
                    // helper, a user's Add-Type) binds to the one copy in this context: a second copy
                    // would give two SmtpPs.SmtpReply types that do not convert into each other.
                    Default.Resolving += ServeOwnAssembly;
                }

                return instance.LoadFromAssemblyName(new AssemblyName(ModuleLoader.CmdletAssemblyName));
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            if (assemblyName.Name == null || assemblyName.Name == typeof(ModuleLoadContext).Assembly.GetName().Name)
            {
                // The loader lives in the default context; so does everything this folder lacks.
                return null;
            }

            string? path = Find(assemblyName.Name);
            if (path == null)
            {
                return null;
            }

            Assembly assembly = LoadFromAssemblyPath(path);
            if (ModuleLoader.IsOwnAssembly(assemblyName.Name))
            {
                // Each of our assemblies as it loads (SmtpPs.Mime only when a cmdlet first needs it).
                TypeNameRegistration.Register(assembly);
            }

            return assembly;
        }

        private string? Find(string name)
        {
            foreach (string directory in directories)
            {
                string path = Path.Combine(directory, name + ".dll");
                if (File.Exists(path))
                {
                    return path;
                }
            }

            return null;
        }

        /// <summary>The runtime identifier the build names ReadyToRun folders by: win-x64, linux-x64, osx-arm64.</summary>
        private static string PlatformName()
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            return os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
        }

        private static Assembly? ServeOwnAssembly(AssemblyLoadContext context, AssemblyName assemblyName)
        {
            ModuleLoadContext? loaded = instance;
            if (loaded == null || !ModuleLoader.IsOwnAssembly(assemblyName.Name) || loaded.Find(assemblyName.Name!) == null)
            {
                return null;
            }

            return loaded.LoadFromAssemblyName(new AssemblyName(assemblyName.Name!));
        }
    }
}
