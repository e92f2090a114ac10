using System;
using System.Reflection;

namespace SmtpPs.Loader
{
    /// <summary>
    /// PowerShell 7 resolves a type literal such as <c>[SmtpPs.SmtpReply]</c> only among the assemblies of
    /// the default load context (PowerShell PR 11088), so the public types of our assemblies in SmtpPs's
    /// own context would be unknown to scripts (<c>$_ -is [SmtpPs.SmtpReply]</c>). PowerShell looks at its
    /// type accelerators first: each public type is added there under its full name.
    /// </summary>
    internal static class TypeNameRegistration
    {
        private static readonly MethodInfo? AddAccelerator = Type
            .GetType("System.Management.Automation.TypeAccelerators, System.Management.Automation")
            ?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null);

        internal static void Register(Assembly assembly)
        {
            if (AddAccelerator == null)
            {
                // Not inside PowerShell (or a PowerShell without accelerators): nothing to make visible.
                return;
            }

            foreach (Type type in assembly.GetExportedTypes())
            {
                if (type.FullName != null)
                {
                    AddAccelerator.Invoke(null, new object[] { type.FullName, type });
                }
            }
        }
    }
}
