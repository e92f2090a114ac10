using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Paths as PowerShell users give them (relative to the current location, '~', PSPath from
    /// Get-ChildItem, wildcards unless literal), turned into file system paths. Existing files only:
    /// nothing is created here.
    /// </summary>
    internal static class FileSystemPaths
    {
        /// <summary>
        /// The files <paramref name="path"/> names; with wildcards (and not <paramref name="literal"/>),
        /// every match. A path that names an existing file is taken as it is even with '[' in it.
        /// Returns an empty list when nothing exists there; the caller reports it.
        /// </summary>
        public static List<string> Resolve(PSCmdlet cmdlet, string path, bool literal, out ErrorRecord? error)
        {
            error = null;
            var files = new List<string>();
            string single = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (!IsFileSystem(provider))
            {
                error = MimeErrors.NotOnFileSystem(path, provider.Name);
                return files;
            }

            if (literal || !WildcardPattern.ContainsWildcardCharacters(path) || System.IO.File.Exists(single) || System.IO.Directory.Exists(single))
            {
                files.Add(single);
                return files;
            }

            try
            {
                Collection<string> resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out _);
                files.AddRange(resolved);
            }
            catch (ItemNotFoundException)
            {
            }

            return files;
        }

        /// <summary>The file system path <paramref name="path"/> names, existing or not (for a file to write).</summary>
        public static string? ForWriting(PSCmdlet cmdlet, string path, bool literal, out ErrorRecord? error)
        {
            error = null;
            if (!literal && WildcardPattern.ContainsWildcardCharacters(path))
            {
                // Like Out-File: a pattern that matches one existing item names it; otherwise the text is the name.
                try
                {
                    Collection<string> resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out ProviderInfo p);
                    if (resolved.Count == 1 && IsFileSystem(p))
                    {
                        return resolved[0];
                    }

                    if (resolved.Count > 1)
                    {
                        error = MimeErrors.InvalidArgument("PathMatchesSeveralItems", $"'{path}' matches {resolved.Count} items; give one file or folder, or use -LiteralPath.", path);
                        return null;
                    }
                }
                catch (ItemNotFoundException)
                {
                }
            }

            string full = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
            if (!IsFileSystem(provider))
            {
                error = MimeErrors.NotOnFileSystem(path, provider.Name);
                return null;
            }

            return full;
        }

        private static bool IsFileSystem(ProviderInfo provider) => provider.ImplementingType == typeof(FileSystemProvider);
    }
}
