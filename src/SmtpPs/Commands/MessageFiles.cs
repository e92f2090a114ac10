using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using System.Threading;
using SmtpPs.Content;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Turns -Path (wildcards) and -LiteralPath into message files the way providers do (relative to the
    /// current location, '~', PSPath from Get-ChildItem), and refuses what cannot be a message before
    /// anything is sent.
    /// </summary>
    internal static class MessageFiles
    {
        public static List<MessageContent> Resolve(PSCmdlet cmdlet, string[] paths, bool literal, byte[] scanBuffer, CancellationToken cancellation)
        {
            var files = new List<MessageContent>();
            foreach (string path in paths)
            {
                // A path without wildcard characters names one file: resolving it literally skips the
                // provider's globbing, which costs more than sending a small message.
                if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    string file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                    RequireFileSystem(cmdlet, provider, path);
                    files.Add(Checked(cmdlet, file, path, scanBuffer, cancellation));
                    continue;
                }

                Collection<string> resolved;
                ProviderInfo pathProvider;
                try
                {
                    resolved = cmdlet.SessionState.Path.GetResolvedProviderPathFromPSPath(path, out pathProvider);
                }
                catch (ItemNotFoundException)
                {
                    throw Terminate(cmdlet, "MessageFileNotFound", $"Cannot find the message file '{path}'.", path);
                }

                RequireFileSystem(cmdlet, pathProvider, path);
                if (resolved.Count == 0)
                {
                    throw Terminate(cmdlet, "MessageFileNotFound", $"No message file matches '{path}'.", path);
                }

                foreach (string file in resolved)
                {
                    files.Add(Checked(cmdlet, file, path, scanBuffer, cancellation));
                }
            }

            return files;
        }

        private static MessageContent Checked(PSCmdlet cmdlet, string file, string given, byte[] scanBuffer, CancellationToken cancellation)
        {
            if (Directory.Exists(file))
            {
                throw Terminate(cmdlet, "MessageFileIsDirectory", $"'{given}' is a directory, not a message file.", given);
            }

            if (!File.Exists(file))
            {
                throw Terminate(cmdlet, "MessageFileNotFound", $"Cannot find the message file '{given}'.", given);
            }

            try
            {
                return FileContent.Read(file, scanBuffer, cancellation);
            }
            catch (ContentException e) when (e.Problem == ContentProblem.Empty)
            {
                // An empty message would put a bare "." on the wire.
                throw Terminate(cmdlet, "MessageFileEmpty", $"The message file '{given}' is empty.", given);
            }
            catch (ContentException e)
            {
                cmdlet.ThrowTerminatingError(ErrorRecords.Content(e, given));
                throw;
            }
            catch (System.Exception e) when (e is IOException || e is System.UnauthorizedAccessException)
            {
                throw Terminate(cmdlet, "MessageFileUnreadable", $"The message file '{given}' cannot be read: {e.Message}", given);
            }
        }

        private static void RequireFileSystem(PSCmdlet cmdlet, ProviderInfo provider, string given)
        {
            if (provider.ImplementingType != typeof(FileSystemProvider))
            {
                throw Terminate(cmdlet, "MessageFileNotOnFileSystem",
                    $"'{given}' is on the {provider.Name} provider; a message must be a file.", given);
            }
        }

        private static PipelineStoppedException Terminate(PSCmdlet cmdlet, string errorId, string message, string target)
        {
            cmdlet.ThrowTerminatingError(ErrorRecords.InvalidArgument(errorId, message, target));
            return new PipelineStoppedException(); // not reached: ThrowTerminatingError always throws
        }
    }
}
