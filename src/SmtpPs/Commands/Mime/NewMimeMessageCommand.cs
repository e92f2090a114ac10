using System;
using System.Collections;
using System.Collections.Generic;
using System.IO;
using System.Management.Automation;
using System.Net.Mail;
using System.Text;
using System.Text.RegularExpressions;
using SmtpPs.Mime;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Composes a MIME message with the parameters Send-MailMessage users know, plus text and HTML
    /// together, inline images and extra header fields. It checks everything before building, and
    /// leaves the attachments in their files until the message is written.
    /// </summary>
    [Cmdlet(VerbsCommon.New, "MimeMessage")]
    [OutputType(typeof(ComposedMessage), typeof(string))]
    public sealed class NewMimeMessageCommand : PSCmdlet
    {
        private static readonly Regex CidReference = new Regex("cid:([^\"'\\s>)]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);
        private readonly List<string> _attachments = new List<string>();

        /// <summary>The author: "Name &lt;addr&gt;", "addr", or an object with an Address property.</summary>
        [Parameter(Mandatory = true)]
        [ValidateNotNull]
        public object From { get; set; } = null!;

        /// <summary>The mailbox that sends for the authors (RFC 5322 3.6.2); needed when -From names several.</summary>
        [Parameter]
        public object? Sender { get; set; }

        /// <summary>The primary recipients.</summary>
        [Parameter(Position = 0)]
        public object[]? To { get; set; }

        /// <summary>The copy recipients.</summary>
        [Parameter]
        public object[]? Cc { get; set; }

        /// <summary>Blind copies: envelope recipients that the message itself never shows.</summary>
        [Parameter]
        public object[]? Bcc { get; set; }

        /// <summary>Where replies go.</summary>
        [Parameter]
        public object[]? ReplyTo { get; set; }

        /// <summary>The subject; any characters.</summary>
        [Parameter(Position = 1)]
        [AllowEmptyString]
        public string? Subject { get; set; }

        /// <summary>The body: text, or HTML with -BodyAsHtml. Several strings are lines.</summary>
        [Parameter(Position = 2)]
        [AllowEmptyString]
        [AllowEmptyCollection]
        public string[]? Body { get; set; }

        /// <summary>-Body is HTML.</summary>
        [Parameter]
        public SwitchParameter BodyAsHtml { get; set; }

        /// <summary>An HTML body; with -Body, the two are alternatives (multipart/alternative).</summary>
        [Parameter]
        [AllowEmptyCollection]
        public string[]? HtmlBody { get; set; }

        /// <summary>Files to attach; wildcards allowed; files piped from Get-ChildItem bind here.</summary>
        [Parameter(ValueFromPipeline = true, ValueFromPipelineByPropertyName = true)]
        [Alias("PSPath", "Attachment")]
        [SupportsWildcards]
        public string[]? Attachments { get; set; }

        /// <summary>Images the HTML shows as &lt;img src="cid:name"&gt;: @{ name = 'path' }.</summary>
        [Parameter]
        public IDictionary? InlineImage { get; set; }

        /// <summary>Extra header fields: @{ 'X-Ticket' = '1234'; 'In-Reply-To' = '&lt;id@example.org&gt;' }.</summary>
        [Parameter]
        public IDictionary? Header { get; set; }

        /// <summary>Normal, High or Low.</summary>
        [Parameter]
        public MailPriority Priority { get; set; } = MailPriority.Normal;

        /// <summary>The charset of the bodies; UTF-8 by default.</summary>
        [Parameter]
        [EncodingArgument]
        public Encoding? Encoding { get; set; }

        /// <summary>Returns the message's wire text instead of the message object.</summary>
        [Parameter]
        public SwitchParameter AsString { get; set; }

        protected override void BeginProcessing()
        {
            if (BodyAsHtml && HtmlBody != null)
            {
                ThrowTerminatingError(MimeErrors.InvalidArgument("BodyConflict",
                    "-BodyAsHtml makes -Body the HTML body, and -HtmlBody gives one too: give -Body (text) with -HtmlBody, or -Body with -BodyAsHtml.", null));
            }
        }

        protected override void ProcessRecord()
        {
            foreach (string path in Attachments ?? Array.Empty<string>())
            {
                _attachments.AddRange(ResolveFiles("Attachments", "AttachmentNotFound", path));
            }
        }

        protected override void EndProcessing()
        {
            ComposedMessage message;
            try
            {
                message = MessageComposer.Compose(Draft());
            }
            catch (MessageDraftException e)
            {
                ThrowTerminatingError(MimeErrors.Draft(e));
                return;
            }

            WarnAboutInlineImages();
            WriteVerbose($"Composed {message.MessageId} from {string.Join(", ", message.From)} to {message.EnvelopeTo.Length} recipient(s), {message.Attachments.Length} attachment(s).");
            WriteObject(AsString ? (object)message.ToString() : message);
        }

        private MessageDraft Draft()
        {
            var draft = new MessageDraft
            {
                Subject = Subject,
                Encoding = Encoding,
                Priority = Priority,
            };
            draft.From.AddRange(AddressArguments.Read("From", From));
            if (Sender != null)
            {
                List<AddressInput> sender = AddressArguments.Read("Sender", Sender);
                draft.Sender = sender.Count == 1 ? sender[0] : throw new MessageDraftException("InvalidAddress", "-Sender: give exactly one address.", Sender);
            }

            draft.To.AddRange(AddressArguments.Read("To", To));
            draft.Cc.AddRange(AddressArguments.Read("Cc", Cc));
            draft.Bcc.AddRange(AddressArguments.Read("Bcc", Bcc));
            draft.ReplyTo.AddRange(AddressArguments.Read("ReplyTo", ReplyTo));

            string? body = Body == null ? null : string.Join("\n", Body);
            if (BodyAsHtml)
            {
                draft.HtmlBody = body ?? string.Empty;
            }
            else
            {
                draft.TextBody = body;
                draft.HtmlBody = HtmlBody == null ? null : string.Join("\n", HtmlBody);
            }

            draft.Attachments.AddRange(_attachments);
            foreach (DictionaryEntry image in Entries(InlineImage))
            {
                string id = Unwrap(image.Key)?.ToString() ?? string.Empty;
                object? value = Unwrap(image.Value);
                string given = value is FileSystemInfo info ? info.FullName : value?.ToString() ?? string.Empty;
                List<string> files = ResolveFiles("InlineImage", "InlineImageNotFound", given);
                if (files.Count != 1)
                {
                    throw new MessageDraftException("InlineImageNotFound", $"-InlineImage '{id}': '{given}' matches {files.Count} files; an inline image is one file.", given);
                }

                draft.InlineImages.Add(new KeyValuePair<string, string>(id, files[0]));
            }

            foreach (DictionaryEntry field in Entries(Header))
            {
                string name = Unwrap(field.Key)?.ToString() ?? string.Empty;
                object? value = Unwrap(field.Value);
                IEnumerable values = value is IEnumerable many && !(value is string) ? many : new[] { value };
                int count = 0;
                foreach (object? one in values)
                {
                    object? item = Unwrap(one) ?? throw new MessageDraftException("InvalidHeaderValue", $"-Header '{name}' has no value.", name);
                    if (++count > 1 && ExtraHeaders.IsReplaceable(name))
                    {
                        throw new MessageDraftException("HeaderDuplicated", $"-Header '{name}' has several values; the field occurs at most once (RFC 5322 3.6).", name);
                    }

                    draft.Headers.Add(new KeyValuePair<string, object>(name, item));
                }

                if (count == 0)
                {
                    throw new MessageDraftException("InvalidHeaderValue", $"-Header '{name}' has no value.", name);
                }
            }

            return draft;
        }

        private List<string> ResolveFiles(string parameter, string notFoundId, string given)
        {
            List<string> files = FileSystemPaths.Resolve(this, given, literal: false, out ErrorRecord? error);
            if (error != null)
            {
                ThrowTerminatingError(error);
            }

            foreach (string file in files)
            {
                if (Directory.Exists(file))
                {
                    ThrowTerminatingError(MimeErrors.InvalidArgument(notFoundId, $"-{parameter} '{given}' is a directory; give files (Get-ChildItem -File pipes them).", given));
                }

                if (!File.Exists(file))
                {
                    files.Clear();
                    break;
                }
            }

            if (files.Count == 0)
            {
                ThrowTerminatingError(MimeErrors.InvalidArgument(notFoundId, $"-{parameter}: cannot find the file '{given}'. Check the path; it is relative to the current location ({SessionState.Path.CurrentFileSystemLocation}).", given));
            }

            return files;
        }

        /// <summary>Warns about cid: references without an image, and images the HTML never shows.</summary>
        private void WarnAboutInlineImages()
        {
            string html = BodyAsHtml ? string.Join("\n", Body ?? Array.Empty<string>()) : HtmlBody == null ? string.Empty : string.Join("\n", HtmlBody);
            var referenced = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (Match match in CidReference.Matches(html))
            {
                referenced.Add(Uri.UnescapeDataString(match.Groups[1].Value));
            }

            var given = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (DictionaryEntry image in Entries(InlineImage))
            {
                string id = Unwrap(image.Key)?.ToString() ?? string.Empty;
                given.Add(id);
                if (!referenced.Contains(id))
                {
                    WriteWarning($"-InlineImage '{id}' is not shown: the HTML body has no cid:{id}. Clients may list it as an attachment.");
                }
            }

            foreach (string id in referenced)
            {
                if (!given.Contains(id))
                {
                    WriteWarning($"The HTML body refers to cid:{id}, but -InlineImage has no image named '{id}': it shows as a broken image.");
                }
            }
        }

        private static IEnumerable<DictionaryEntry> Entries(IDictionary? dictionary)
        {
            if (dictionary == null)
            {
                yield break;
            }

            foreach (DictionaryEntry entry in dictionary)
            {
                yield return entry;
            }
        }

        private static object? Unwrap(object? value) => value is PSObject ps ? ps.BaseObject : value;
    }
}
