using System;
using System.Reflection;
using System.Reflection.Metadata;

namespace SmtpPs.LoadContext
{
    /// <summary>
    /// PowerShell 7 resolves a type literal such as <c>[SmtpPs.SmtpReply]</c> only among the assemblies of the
    /// default load context (PowerShell PR 11088), so the public types of our assemblies in SmtpPs's own
    /// context would be unknown to scripts (<c>$_ -is [SmtpPs.SmtpReply]</c>). PowerShell looks at its type
    /// accelerators first: each type a script may name, the public types of the namespace SmtpPs, is added
    /// there under its full name when its assembly loads.
    /// The types are found in the metadata the runtime already holds, and only they are loaded: listing an
    /// assembly's exported types would load every one of them, and with the cmdlets' types the assemblies
    /// their base types and attributes live in, at import.
    /// </summary>
    internal static class TypeNameRegistration
    {
        private const string ScriptNamespace = "SmtpPs";

        private static readonly Action<string, Type>? AddAccelerator = Type
            .GetType("System.Management.Automation.TypeAccelerators, System.Management.Automation")
            ?.GetMethod("Add", BindingFlags.Public | BindingFlags.Static, null, new[] { typeof(string), typeof(Type) }, null)
            ?.CreateDelegate<Action<string, Type>>();

        internal static unsafe void Register(Assembly assembly)
        {
            if (AddAccelerator == null || !assembly.TryGetRawMetadata(out byte* blob, out int length))
            {
                // Not inside PowerShell (or a PowerShell without accelerators): nothing to make visible.
                return;
            }

            var reader = new MetadataReader(blob, length);
            foreach (TypeDefinitionHandle handle in reader.TypeDefinitions)
            {
                TypeDefinition definition = reader.GetTypeDefinition(handle);
                if ((definition.Attributes & TypeAttributes.VisibilityMask) != TypeAttributes.Public
                    || !reader.StringComparer.Equals(definition.Namespace, ScriptNamespace))
                {
                    continue;
                }

                string fullName = ScriptNamespace + "." + reader.GetString(definition.Name);
                Type? type = assembly.GetType(fullName, throwOnError: false);
                if (type != null)
                {
                    AddAccelerator(fullName, type);
                }
            }
        }
    }
}
