using System;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Threading;
using SmtpPs.Mime;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Checks message files or message objects against what receiving systems refuse, and writes one
    /// finding per problem, with its rule and line. A good message gives no output.
    /// </summary>
    [Cmdlet(VerbsDiagnostic.Test, "MimeMessage", DefaultParameterSetName = PathSet)]
    [OutputType(typeof(MessageLintFinding))]
    public sealed class TestMimeMessageCommand : PSCmdlet, IDisposable
    {
        private const string PathSet = "Path";
        private const string LiteralPathSet = "LiteralPath";
        private const string InputObjectSet = "InputObject";
        private readonly CancellationTokenSource _stop = new CancellationTokenSource();

        /// <summary>Message files; wildcards allowed.</summary>
        [Parameter(Mandatory = true, Position = 0, ParameterSetName = PathSet, ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [SupportsWildcards]
        [ValidateNotNullOrEmpty]
        public string[] Path { get; set; } = Array.Empty<string>();

        /// <summary>Message files, taken exactly as written; binds files piped from Get-ChildItem.</summary>
        [Parameter(Mandatory = true, ParameterSetName = LiteralPathSet, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "LP")]
        [ValidateNotNullOrEmpty]
        public string[] LiteralPath { get; set; } = Array.Empty<string>();

        /// <summary>Messages: from New-MimeMessage, MimeKit MimeMessage objects, strings, byte arrays, objects with a byte[] Raw property.</summary>
        [Parameter(Mandatory = true, ParameterSetName = InputObjectSet, ValueFromPipeline = true)]
        public object InputObject { get; set; } = null!;

        protected override void ProcessRecord()
        {
            if (ParameterSetName == InputObjectSet)
            {
                CheckObject(InputObject);
                return;
            }

            bool literal = ParameterSetName == LiteralPathSet;
            foreach (string path in literal ? LiteralPath : Path)
            {
                List<string> files = FileSystemPaths.Resolve(this, path, literal, out ErrorRecord? error);
                if (error != null)
                {
                    WriteError(error);
                    continue;
                }

                files.RemoveAll(Directory.Exists);
                if (files.Count == 0 || !File.Exists(files[0]))
                {
                    WriteError(MimeErrors.FileNotFound(path));
                    continue;
                }

                foreach (string file in files)
                {
                    CheckFile(file);
                }
            }
        }

        protected override void StopProcessing() => _stop.Cancel();

        public void Dispose() => _stop.Dispose();

        private void CheckObject(object value)
        {
            MessageInput? input = MessageInput.From(value);
            if (input == null)
            {
                WriteError(MimeErrors.UnsupportedInput(value is PSObject ps ? ps.BaseObject : value));
                return;
            }

            if (input.File != null)
            {
                CheckFile(input.File);
                return;
            }

            IReadOnlyList<MessageLintFinding> findings;
            try
            {
                if (input.Mime != null)
                {
                    findings = MessageLint.CheckMime(input.Mime, _stop.Token);
                }
                else
                {
                    using var stream = new MemoryStream(input.Raw!, writable: false);
                    findings = MessageLint.CheckRaw(stream, input.Name, null, _stop.Token);
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException || e is NotSupportedException)
            {
                WriteError(MimeErrors.ReadFailed(input.Name, e));
                return;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            Write(input.Name, findings);
        }

        private void CheckFile(string file)
        {
            IReadOnlyList<MessageLintFinding> findings;
            try
            {
                using var stream = new FileStream(file, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
                findings = MessageLint.CheckRaw(stream, file, file, _stop.Token);
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                WriteError(MimeErrors.ReadFailed(file, e));
                return;
            }
            catch (OperationCanceledException)
            {
                throw new PipelineStoppedException();
            }

            Write(file, findings);
        }

        private void Write(string name, IReadOnlyList<MessageLintFinding> findings)
        {
            WriteVerbose($"Checked {name}: {findings.Count} finding(s).");
            foreach (MessageLintFinding finding in findings)
            {
                WriteObject(finding);
            }
        }
    }
}
