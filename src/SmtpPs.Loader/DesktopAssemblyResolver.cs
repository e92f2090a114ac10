using System;
using System.IO;
using System.Reflection;

namespace SmtpPs.Loader
{
    /// <summary>
    /// Windows PowerShell 5.1 has one load context per process and no binding redirects for a module: a
    /// library that references System.Buffers 4.0.2.0 when the module ships 4.0.3.0 fails to bind. This
    /// handler answers such failed binds with the module's own copy from its Desktop folder, when that copy
    /// is the version asked for or newer. It cannot isolate: an assembly of the same name another module
    /// loaded first is the one the whole process uses.
    /// </summary>
    internal static class DesktopAssemblyResolver
    {
        private static readonly object Gate = new object();
        private static string? directory;

        internal static Assembly Initialize(string moduleDirectory, string cmdletAssemblyName)
        {
            lock (Gate)
            {
                if (directory == null)
                {
                    directory = moduleDirectory;
                    AppDomain.CurrentDomain.AssemblyResolve += ServeModuleCopy;
                }
            }

            return Assembly.LoadFrom(Path.Combine(moduleDirectory, cmdletAssemblyName + ".dll"));
        }

        private static Assembly? ServeModuleCopy(object? sender, ResolveEventArgs args)
        {
            var requested = new AssemblyName(args.Name);
            string? folder = directory;
            if (folder == null || requested.Name == null)
            {
                return null;
            }

            string path = Path.Combine(folder, requested.Name + ".dll");
            if (!File.Exists(path))
            {
                return null;
            }

            // Never an older copy than the one asked for: that would fail later, at the first missing method.
            AssemblyName shipped = AssemblyName.GetAssemblyName(path);
            if (requested.Version != null && shipped.Version != null && shipped.Version < requested.Version)
            {
                return null;
            }

            return Assembly.LoadFrom(path);
        }
    }
}
