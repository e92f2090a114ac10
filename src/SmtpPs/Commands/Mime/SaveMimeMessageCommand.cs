using System;
using System.IO;
using System.Management.Automation;
using System.Text;
using System.Threading;
using SmtpPs.Protocol;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Writes messages to .eml files: what New-MimeMessage made (its wire form, without Bcc), MimeKit
    /// messages made by other code, and raw octets (a byte[], or an object with a byte[] Raw property,
    /// such as a captured message). A file appears whole or not at all: it is written under a temporary
    /// name in the same folder and renamed at the end.
    /// </summary>
    [Cmdlet(VerbsData.Save, "MimeMessage", DefaultParameterSetName = PathSet, SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(FileInfo))]
    public sealed class SaveMimeMessageCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const int BufferSize = 64 * 1024;
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>The message: from New-MimeMessage, a MimeKit MimeMessage, a byte[], a string, or an object with a byte[] Raw property.</summary>
        [Parameter(Mandatory = true, ValueFromPipeline = true)]
        public object InputObject { get; set; } = null!;

        /// <summary>The .eml file to write, or an existing folder to write each message into.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet)]
        [ValidateNotNullOrEmpty]
        public string Path { get; set; } = string.Empty;

        /// <summary>The file or folder, taken exactly as written.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string LiteralPath { get; set; } = string.Empty;

        /// <summary>Overwrites an existing file.</summary>
        [Parameter]
        public SwitchParameter Force { get; set; }

        /// <summary>Writes the FileInfo of each file saved.</summary>
        [Parameter]
        public SwitchParameter PassThru { get; set; }

        protected override void ProcessRecord()
        {
            MessageInput? input = MessageInput.From(InputObject);
            if (input == null || input.File != null)
            {
                WriteError(MimeErrors.UnsupportedInput(InputObject is PSObject ps ? ps.BaseObject : InputObject));
                return;
            }

            bool literal = ParameterSetName == LiteralPathSet;
            string given = literal ? LiteralPath : Path;
            string? target = FileSystemPaths.ForWriting(this, given, literal, out ErrorRecord? error);
            if (target == null)
            {
                WriteError(error!);
                return;
            }

            if (Directory.Exists(target))
            {
                target = System.IO.Path.Combine(target, FileName(input));
            }

            if (!ShouldProcess(target, $"Save message {input.Name}"))
            {
                return;
            }

            string? folder = System.IO.Path.GetDirectoryName(target);
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder))
            {
                WriteError(new ErrorRecord(new DirectoryNotFoundException($"The folder '{folder}' does not exist; create it first (New-Item -ItemType Directory)."),
                    "FolderNotFound", ErrorCategory.ObjectNotFound, folder));
                return;
            }

            if (File.Exists(target) && !Force)
            {
                WriteError(new ErrorRecord(new IOException($"The file '{target}' already exists. Use -Force to overwrite it."),
                    "MessageFileExists", ErrorCategory.ResourceExists, target));
                return;
            }

            try
            {
                Write(input, target);
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                WriteError(new ErrorRecord(e, "MessageWriteFailed", ErrorCategory.WriteError, target)
                {
                    ErrorDetails = new ErrorDetails($"Saving {input.Name} to '{target}' failed: {e.Message}"),
                });
                return;
            }

            WriteVerbose($"Saved {input.Name} to '{target}'.");
            if (PassThru)
            {
                // The provider's item, as New-Item gives it: PSPath and the file system view come with it.
                WriteObject(SessionState.InvokeProvider.Item.Get(new[] { target }, false, true), true);
            }
        }

        protected override void StopProcessing() => _stop.Cancel();

        public void Dispose() => _stop.Dispose();

        private void Write(MessageInput input, string target)
        {
            string temporary = System.IO.Path.Combine(System.IO.Path.GetDirectoryName(target)!,
                $".{System.IO.Path.GetFileName(target)}.{Guid.NewGuid():N}.tmp");
            try
            {
                using (var file = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None, BufferSize))
                {
                    if (input.Mime != null)
                    {
                        input.Mime.WriteTo(file, _stop.Token);
                    }
                    else
                    {
                        file.Write(input.Raw!, 0, input.Raw!.Length);
                    }
                }

                if (File.Exists(target))
                {
                    File.Replace(temporary, target, null);
                }
                else
                {
                    File.Move(temporary, target);
                }
            }
            finally
            {
                if (File.Exists(temporary))
                {
                    File.Delete(temporary);
                }
            }
        }

        /// <summary>The file name for a message saved into a folder: its Message-ID made safe, or a unique name.</summary>
        private static string FileName(MessageInput input)
        {
            string? id = input.Mime != null ? input.Name : RawMessageId(input.Raw!);
            id = id?.Trim().TrimStart('<').TrimEnd('>');
            if (string.IsNullOrEmpty(id) || id!.StartsWith("(", StringComparison.Ordinal))
            {
                return $"message-{DateTime.UtcNow:yyyyMMdd-HHmmss}-{Guid.NewGuid().ToString("N").Substring(0, 8)}.eml";
            }

            var name = new StringBuilder(id.Length + 4);
            foreach (char c in id)
            {
                name.Append(char.IsLetterOrDigit(c) && c < 128 || c == '.' || c == '-' || c == '_' || c == '@' ? c : '_');
            }

            return name.ToString(0, Math.Min(name.Length, 200)) + ".eml";
        }

        /// <summary>The Message-ID of raw octets, from the header block (its first 64 KiB at most).</summary>
        private static string? RawMessageId(byte[] raw)
        {
            string text = Encoding.GetEncoding(28591).GetString(raw, 0, Math.Min(raw.Length, 64 * 1024)).Replace("\r\n", "\n");
            int end = text.IndexOf("\n\n", StringComparison.Ordinal);
            string headers = end < 0 ? text : text.Substring(0, end);
            var values = HeaderFields.Values(headers, "Message-ID");
            return values.Count == 0 ? null : values[0];
        }
    }
}
