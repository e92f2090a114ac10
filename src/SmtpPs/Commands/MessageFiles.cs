using System.Collections.Generic;
using System.Collections.ObjectModel;
using System.IO;
using System.Management.Automation;
using Microsoft.PowerShell.Commands;
using SmtpPs.Protocol;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Turns -Path (wildcards) and -LiteralPath into message files the way providers do (relative to the
    /// current location, '~', PSPath from Get-ChildItem), and refuses what cannot be a message before
    /// anything is sent.
    /// </summary>
    internal static class MessageFiles
    {
        public static List<MessageFile> Resolve(PSCmdlet cmdlet, string[] paths, bool literal, byte[] scanBuffer)
        {
            var files = new List<MessageFile>();
            foreach (string path in paths)
            {
                // A path without wildcard characters names one file: resolving it literally skips the
                // provider's globbing, which costs more than sending a small message.
                if (literal || !WildcardPattern.ContainsWildcardCharacters(path))
                {
                    string file = cmdlet.SessionState.Path.GetUnresolvedProviderPathFromPSPath(path, out ProviderInfo provider, out _);
                    RequireFileSystem(cmdlet, provider, path);
                    files.Add(Checked(cmdlet, file, path, scanBuffer));
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
                    files.Add(Checked(cmdlet, file, path, scanBuffer));
                }
            }

            return files;
        }

        private static MessageFile Checked(PSCmdlet cmdlet, string file, string given, byte[] scanBuffer)
        {
            if (Directory.Exists(file))
            {
                throw Terminate(cmdlet, "MessageFileIsDirectory", $"'{given}' is a directory, not a message file.", given);
            }

            if (!File.Exists(file))
            {
                throw Terminate(cmdlet, "MessageFileNotFound", $"Cannot find the message file '{given}'.", given);
            }

            MessageContentFacts facts;
            try
            {
                // bufferSize 1: no FileStream buffer of its own; the scan reads in large blocks anyway.
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                facts = MessageContentScanner.Scan(stream, scanBuffer);
            }
            catch (MessageContentException e)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(e, "MessageFile" + e.Problem switch
                {
                    "Nul" => "HasNul",
                    "Utf16" => "IsUtf16",
                    _ => e.Problem,
                }, ErrorCategory.InvalidData, given)
                {
                    ErrorDetails = new ErrorDetails($"'{given}' cannot be sent: {e.Message}"),
                });
                throw;
            }
            catch (System.Exception e) when (e is IOException || e is System.UnauthorizedAccessException)
            {
                throw Terminate(cmdlet, "MessageFileUnreadable", $"The message file '{given}' cannot be read: {e.Message}", given);
            }

            if (facts.Length == 0)
            {
                // RELIABILITY row 14: an empty message would put a bare "." on the wire.
                throw Terminate(cmdlet, "MessageFileEmpty", $"The message file '{given}' is empty.", given);
            }

            return new MessageFile(file, facts);
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
