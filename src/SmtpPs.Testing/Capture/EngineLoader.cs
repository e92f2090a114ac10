using System;
using System.IO;
using System.Runtime.InteropServices;

namespace SmtpPs.Testing
{
    /// <summary>Finds the engine assembly, after checking that this process can load it.</summary>
    internal static class EngineLoader
    {
        private const string EngineTypeName = "SmtpPs.Testing.Engine.CaptureEngine";
        private const string EngineAssemblyName = "SmtpPs.Testing.Engine";

        /// <summary>Why this runtime cannot run the engine, or null when it can.</summary>
        internal static string? UnsupportedReason(string frameworkDescription, Version runtimeVersion)
        {
            // Windows PowerShell 5.1 runs on the .NET Framework, which cannot load netstandard2.1 assemblies such as
            // the SmtpServer package the engine is built on.
            if (frameworkDescription.StartsWith(".NET Framework", StringComparison.OrdinalIgnoreCase))
            {
                return "The SMTP test server needs PowerShell 7.4 or newer: its engine is built on the SmtpServer library, " +
                    $"which targets netstandard2.1, and this process runs {frameworkDescription}, which cannot load it " +
                    "(Windows PowerShell 5.1 runs on the .NET Framework). Send-RawSmtpMail and Test-SmtpServer work here; run the tests in pwsh.";
            }

            // On PowerShell 7 the module ships the .NET 8 builds of its libraries, so it needs 7.4 (.NET 8); the
            // module's loader refuses older versions on import, and this says the same to anything that gets here.
            if (runtimeVersion.Major < 8)
            {
                return $"The SMTP test server needs PowerShell 7.4 or newer (.NET 8): SmtpPs ships the .NET 8 builds of its libraries, " +
                    $"and this process runs {frameworkDescription}. Update PowerShell (https://aka.ms/powershell).";
            }

            return null;
        }

        /// <summary>Why this process cannot run the engine, or null when it can.</summary>
        internal static string? UnsupportedReasonHere() => UnsupportedReason(RuntimeInformation.FrameworkDescription, Environment.Version);

        internal static ISmtpTestEngine Create()
        {
            string? reason = UnsupportedReasonHere();
            if (reason != null)
            {
                throw new PlatformNotSupportedException(reason);
            }

            // By name only, so that the load context that loaded this assembly serves the engine: SmtpPs's own
            // on PowerShell 7. A load by path would put the engine, and SmtpServer and the libraries under it,
            // into the default context, beside whatever versions of them other modules loaded there.
            Type? type = Type.GetType(EngineTypeName + ", " + EngineAssemblyName, throwOnError: false);
            if (type == null)
            {
                string folder = Path.GetDirectoryName(typeof(EngineLoader).Assembly.Location) ?? string.Empty;
                throw new FileNotFoundException($"The SMTP test server's engine {EngineAssemblyName}.dll is missing from {folder}; reinstall the module.", EngineAssemblyName + ".dll");
            }

            return (ISmtpTestEngine)Activator.CreateInstance(type)!;
        }
    }
}
