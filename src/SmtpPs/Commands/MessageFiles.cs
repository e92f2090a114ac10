using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>One file that a path named, or why a path named none.</summary>
    internal readonly struct ResolvedFile
    {
        public ResolvedFile(string name, string? fullPath, MessageProblem? problem)
        {
            Name = name;
            FullPath = fullPath;
            Problem = problem;
        }

        /// <summary>The file's full path, or the path as given when it names no file.</summary>
        public string Name { get; }

        public string? FullPath { get; }

        public MessageProblem? Problem { get; }
    }

    /// <summary>
    /// Turns -Path (wildcards, with backtick escapes as the built-in cmdlets take them) and -LiteralPath into
    /// message files the way providers do (relative to the current location, '~', PSPath from
    /// Get-ChildItem). A path that names no usable file becomes a problem of its own: it never stops the
    /// other files of a batch.
    /// </summary>
    internal static class MessageFiles
    {
        public static IEnumerable<ResolvedFile> Resolve(PSCmdlet cmdlet, string given, bool literal)
        {
            if (LooksLikeMessageText(given))
            {
                yield return Problem(given, "MessageTextGivenAsPath",
                    "It looks like the text of a message, not the path of a message file. To send text, give it to -Content " +
                    "(\"$text | Send-RawSmtpMail -Content ...\" binds to -Path); to send a file, give its path.");
                yield break;
            }

            // A path without wildcard characters names one file: resolving it literally skips the provider's
            // globbing, which costs more than sending a small message. Escaped wildcard characters ('`[') are
            // not wildcards, and lose their escapes as they do for Get-Content.
            if (literal || !WildcardPattern.ContainsWildcardCharacters(given))
            {
                string path = literal ? given : WildcardPattern.Unescape(given);
                string file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                yield return provider.ImplementingType != typeof(FileSystemProvider) ? NotOnFileSystem(given, provider) : Checked(file, given);
                yield break;
            }

            Collection<string>? resolved = null;
            ProviderInfo? pathProvider = null;
            try
            {
                resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(given, out pathProvider);
            }
            catch (ItemNotFoundException)
            {
            }

            if (pathProvider != null && pathProvider.ImplementingType != typeof(FileSystemProvider))
            {
                yield return NotOnFileSystem(given, pathProvider);
                yield break;
            }

            if (resolved == null || resolved.Count == 0)
            {
                yield return Problem(given, "MessageFileNotFound",
                    $"No message file matches '{given}'. If '[' or ']' are part of the file's name, give it with -LiteralPath (or escape them with '`').");
                yield break;
            }

            foreach (string file in resolved)
            {
                yield return Checked(file, given);
            }
        }

        private static ResolvedFile Checked(string file, string given)
        {
            if (Directory.Exists(file))
            {
                return Problem(given, "MessageFileIsDirectory", $"'{given}' is a directory, not a message file.");
            }

            if (!File.Exists(file))
            {
                return Problem(given, "MessageFileNotFound", $"Cannot find the message file '{given}'.");
            }

            return new ResolvedFile(file, file, null);
        }

        private static ResolvedFile NotOnFileSystem(string given, ProviderInfo provider) =>
            Problem(given, "MessageFileNotOnFileSystem", $"'{given}' is on the {provider.Name} provider; a message must be a file.");

        private static ResolvedFile Problem(string given, string code, string explanation) =>
            new ResolvedFile(given, null, MessageProblem.Unusable(code, explanation));

        /// <summary>A "path" with a line break whose first line is a header field ("From: ...") is a message's text.</summary>
        private static bool LooksLikeMessageText(string given)
        {
            int lineEnd = given.IndexOfAny(new[] { '\r', '\n' });
            if (lineEnd < 0)
            {
                return false;
            }

            int colon = given.IndexOf(':');
            return colon > 0 && colon < lineEnd && given.Substring(0, colon).IndexOf(' ') < 0;
        }
    }
}
