using System;
using System.Collections.Generic;
using System.IO;
using System.Reflection;
using System.Runtime.InteropServices;
using System.Runtime.Loader;

namespace SmtpPs.LoadContext
{
    /// <summary>
    /// PowerShell 7: SmtpPs's assemblies and the libraries they use (MimeKit, DnsClient, SmtpServer, ...) load
    /// here, from the module's Core folder, and nowhere else. Another module that loaded a different version
    /// of one of those libraries into the default context keeps it, and SmtpPs gets its own: the scheme of
    /// PowerShell's "Resolving PowerShell module assembly dependency conflicts".
    /// What PowerShell or .NET itself has (System.Management.Automation, the framework, and packages such as
    /// System.IO.Pipelines once the runtime carries them) at the version asked for or newer comes from the
    /// default context, so SmtpPs and PowerShell share one PowerShell and one runtime; the module's copies
    /// serve older runtimes (PowerShell 7.4's .NET 8 lacks System.IO.Pipelines and has an older
    /// System.Security.Cryptography.Pkcs than MimeKit asks for).
    /// Our own assemblies are looked for first in the folder of this platform (Core/linux-x64, ...), where the
    /// build puts their ReadyToRun images, then in Core itself (plain IL, any platform); a library first in
    /// the build it ships for this operating system (Core/runtimes/win/lib/net8.0, ...), then in Core.
    /// </summary>
    public sealed class ModuleLoadContext : AssemblyLoadContext
    {
        private const string OwnName = "SmtpPs";
        private static readonly object Gate = new object();
        private static ModuleLoadContext? instance;

        private readonly Folder[] ownFolders;
        private readonly Folder[] libraryFolders;
        private Dictionary<string, string>? runtimeAssemblies;

        private ModuleLoadContext(string core)
            : base(OwnName, isCollectible: false)
        {
            string os = OperatingSystem.IsWindows() ? "win" : OperatingSystem.IsMacOS() ? "osx" : "linux";
            string platform = os + "-" + RuntimeInformation.ProcessArchitecture.ToString().ToLowerInvariant();
            ownFolders = Folder.Existing(Path.Combine(core, platform), core);
            libraryFolders = Folder.Existing(
                Path.Combine(core, "runtimes", os, "lib", "net8.0"),
                Path.Combine(core, "runtimes", "unix", "lib", "net8.0"),
                core);
        }

        /// <summary>
        /// Creates the context once per process and returns the cmdlets' assembly from it. The default context
        /// may then ask it for our own assemblies by name: code compiled against them there (the tests' helper,
        /// a user's Add-Type) binds to the one copy here; a second copy would give two SmtpPs.SmtpReply types
        /// that do not convert into each other.
        /// </summary>
        public static Assembly LoadCmdletAssembly(string core, string name)
        {
            lock (Gate)
            {
                if (instance == null)
                {
                    instance = new ModuleLoadContext(core);
                    Default.Resolving += ServeOwnAssembly;
                }

                return instance.LoadFromAssemblyName(new AssemblyName(name));
            }
        }

        protected override Assembly? Load(AssemblyName assemblyName)
        {
            string? name = assemblyName.Name;
            if (name == null)
            {
                return null;
            }

            bool own = IsOwnAssembly(name);
            string? path = Folder.Find(own ? ownFolders : libraryFolders, name);
            if (path == null || (!own && RuntimeProvides(assemblyName)))
            {
                // The default context's: the loaders, PowerShell, the framework, or what the module lacks.
                return null;
            }

            Assembly assembly = LoadFromAssemblyPath(path);
            if (own)
            {
                // Each of our assemblies as it loads (SmtpPs.Mime only when a cmdlet first needs it).
                TypeNameRegistration.Register(assembly);
            }

            return assembly;
        }

        /// <summary>Our own assemblies by simple name (SmtpPs, SmtpPs.Core, SmtpPs.Mime, ...), the loaders excepted.</summary>
        private static bool IsOwnAssembly(string name) =>
            (name == OwnName || name.StartsWith(OwnName + ".", StringComparison.Ordinal))
            && name != "SmtpPs.Loader" && name != typeof(ModuleLoadContext).Assembly.GetName().Name;

        /// <summary>
        /// Whether the runtime's own assemblies (the framework and PowerShell's folder, the default context's
        /// trusted platform assemblies) hold this one at the version asked for or newer.
        /// </summary>
        private bool RuntimeProvides(AssemblyName requested)
        {
            Dictionary<string, string> runtime = runtimeAssemblies ??= ReadTrustedPlatformAssemblies();
            if (!runtime.TryGetValue(requested.Name!, out string? path))
            {
                return false;
            }

            Version? available = AssemblyName.GetAssemblyName(path).Version;
            return requested.Version == null || (available != null && available >= requested.Version);
        }

        private static Dictionary<string, string> ReadTrustedPlatformAssemblies()
        {
            var assemblies = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            string list = AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES") as string ?? string.Empty;
            foreach (string path in list.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                assemblies.TryAdd(Path.GetFileNameWithoutExtension(path), path);
            }

            return assemblies;
        }

        private static Assembly? ServeOwnAssembly(AssemblyLoadContext context, AssemblyName assemblyName)
        {
            ModuleLoadContext? loaded = instance;
            string? name = assemblyName.Name;
            if (loaded == null || name == null || !IsOwnAssembly(name) || Folder.Find(loaded.ownFolders, name) == null)
            {
                return null;
            }

            return loaded.LoadFromAssemblyName(new AssemblyName(name));
        }

        /// <summary>A folder of the module and the DLLs in it, listed once: a lookup is then no file system call.</summary>
        private sealed class Folder
        {
            private readonly string path;
            private readonly HashSet<string> names;

            private Folder(string path, HashSet<string> names)
            {
                this.path = path;
                this.names = names;
            }

            internal static Folder[] Existing(params string[] paths)
            {
                var folders = new List<Folder>();
                foreach (string path in paths)
                {
                    if (Directory.Exists(path))
                    {
                        var names = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
                        foreach (string file in Directory.EnumerateFiles(path, "*.dll"))
                        {
                            names.Add(Path.GetFileNameWithoutExtension(file));
                        }

                        folders.Add(new Folder(path, names));
                    }
                }

                return folders.ToArray();
            }

            internal static string? Find(Folder[] folders, string name)
            {
                foreach (Folder folder in folders)
                {
                    if (folder.names.Contains(name))
                    {
                        return Path.Combine(folder.path, name + ".dll");
                    }
                }

                return null;
            }
        }
    }
}
