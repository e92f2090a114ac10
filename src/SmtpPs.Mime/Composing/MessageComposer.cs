using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net.Mail;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace SmtpPs.Mime
{
    /// <summary>
    /// Builds a MimeKit message from a draft, after checking all of it: addresses, bodies, files and
    /// extra fields. Every encoding is MimeKit's and set explicitly per part, so that nothing scans the
    /// whole message (and reads the attachments) to choose: text bodies get 7bit when they are ASCII in
    /// lines of at most 998 octets, otherwise quoted-printable or base64 (RFC 2045 6); files get base64.
    /// </summary>
    internal static class MessageComposer
    {
        /// <summary>RFC 5322 2.1.1: a line is at most 998 octets before its CRLF.</summary>
        public const int MaxLineLength = 998;

        public static ComposedMessage Compose(MessageDraft draft)
        {
            InternetAddressList from = DraftAddresses.Parse("From", draft.From, allowGroups: false);
            if (from.Count == 0)
            {
                throw new MessageDraftException("FromRequired", "-From is empty: a message needs an author (RFC 5322 3.6.2).", null);
            }

            MailboxAddress? sender = draft.Sender == null ? null : DraftAddresses.ParseMailbox("Sender", draft.Sender);
            if (from.Count > 1 && sender == null)
            {
                throw new MessageDraftException("SenderRequired",
                    $"-From has {from.Count} authors; RFC 5322 3.6.2 then needs -Sender, the one mailbox that sends the message.", draft.From[0].ToString());
            }

            InternetAddressList to = DraftAddresses.Parse("To", draft.To, allowGroups: true);
            InternetAddressList cc = DraftAddresses.Parse("Cc", draft.Cc, allowGroups: true);
            InternetAddressList bcc = DraftAddresses.Parse("Bcc", draft.Bcc, allowGroups: true);
            InternetAddressList replyTo = DraftAddresses.Parse("ReplyTo", draft.ReplyTo, allowGroups: true);
            if (!to.Mailboxes.Any() && !cc.Mailboxes.Any() && !bcc.Mailboxes.Any())
            {
                throw new MessageDraftException("RecipientsRequired", "Give at least one recipient with -To, -Cc or -Bcc.", null);
            }

            Encoding charset = draft.Encoding ?? new UTF8Encoding(false);
            CheckRepresentable("Body", draft.TextBody, charset);
            CheckRepresentable("HtmlBody", draft.HtmlBody, charset);
            foreach (string path in draft.Attachments)
            {
                CheckReadable("Attachments", "AttachmentNotFound", path);
            }

            CheckInlineImages(draft);
            List<KeyValuePair<string, object>> headers = CheckHeaders(draft);

            var message = new MimeMessage();
            message.Headers.Clear();
            message.From.AddRange(from);
            if (sender != null)
            {
                message.Sender = sender;
            }

            message.ReplyTo.AddRange(replyTo);
            message.To.AddRange(to);
            message.Cc.AddRange(cc);
            message.Bcc.AddRange(bcc);
            message.Subject = draft.Subject ?? string.Empty;
            message.Date = DateTimeOffset.Now;
            message.MessageId = MimeUtils.GenerateMessageId(MessageIdDomain(from.Mailboxes.First()));
            SetPriority(message, draft.Priority);
            AddHeaders(message, headers);
            message.Body = Body(draft, charset);

            CheckHeaderLines(message);
            return new ComposedMessage(message);
        }

        private static MimeEntity Body(MessageDraft draft, Encoding charset)
        {
            TextPart? text = draft.TextBody != null || draft.HtmlBody == null ? Text("plain", draft.TextBody ?? string.Empty, charset) : null;
            MimeEntity? html = null;
            if (draft.HtmlBody != null)
            {
                TextPart htmlPart = Text("html", draft.HtmlBody, charset);
                html = htmlPart;
                if (draft.InlineImages.Count > 0)
                {
                    // RFC 2387: the HTML is the root; the images it refers to by cid: (RFC 2392) follow it.
                    var related = new MultipartRelated { Root = htmlPart };
                    foreach (KeyValuePair<string, string> image in draft.InlineImages)
                    {
                        related.Add(FilePart(image.Value, image.Key));
                    }

                    html = related;
                }
            }

            // RFC 2046 5.1.4: alternatives from the plainest to the richest.
            MimeEntity body = text != null && html != null
                ? new MultipartAlternative { text, html }
                : (MimeEntity?)html ?? text!;
            if (draft.Attachments.Count == 0)
            {
                return body;
            }

            var mixed = new Multipart("mixed") { body };
            foreach (string path in draft.Attachments)
            {
                mixed.Add(FilePart(path, null));
            }

            return mixed;
        }

        private static TextPart Text(string subtype, string text, Encoding charset)
        {
            var part = new TextPart(subtype);
            // One line-break convention in, CRLF on the wire: the encoders and MimeKit's CRLF filter see LF only.
            part.SetText(charset, text.Replace("\r\n", "\n").Replace('\r', '\n'));
            part.ContentTransferEncoding = part.GetBestEncoding(EncodingConstraint.SevenBit, MaxLineLength);
            return part;
        }

        private static MimePart FilePart(string path, string? contentId)
        {
            string name = Path.GetFileName(path);
            var part = new MimePart(MimeTypes.GetMimeType(name))
            {
                Content = new AttachmentFileContent(path),
                ContentDisposition = new ContentDisposition(contentId == null ? ContentDisposition.Attachment : ContentDisposition.Inline),
                ContentTransferEncoding = ContentEncoding.Base64,
                FileName = name,
            };
            if (contentId != null)
            {
                part.ContentId = contentId;
            }

            return part;
        }

        private static void SetPriority(MimeMessage message, MailPriority priority)
        {
            // Clients read one of three fields: Importance (RFC 2156), Priority (RFC 2156) or X-Priority,
            // which System.Net.Mail (Send-MailMessage) sets to 1 and 5.
            switch (priority)
            {
                case MailPriority.High:
                    message.Importance = MessageImportance.High;
                    message.Priority = MessagePriority.Urgent;
                    message.XPriority = XMessagePriority.Highest;
                    break;
                case MailPriority.Low:
                    message.Importance = MessageImportance.Low;
                    message.Priority = MessagePriority.NonUrgent;
                    message.XPriority = XMessagePriority.Lowest;
                    break;
            }
        }

        private static void AddHeaders(MimeMessage message, List<KeyValuePair<string, object>> headers)
        {
            foreach (KeyValuePair<string, object> header in headers)
            {
                string name = header.Key;
                if (string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase))
                {
                    ExtraHeaders.TryDate(header.Value, out DateTimeOffset date);
                    message.Date = date;
                }
                else if (string.Equals(name, "Message-ID", StringComparison.OrdinalIgnoreCase))
                {
                    message.MessageId = ExtraHeaders.BareId((string)header.Value);
                }
                else if (string.Equals(name, "In-Reply-To", StringComparison.OrdinalIgnoreCase) ||
                         string.Equals(name, "References", StringComparison.OrdinalIgnoreCase))
                {
                    string ids = string.Join(" ", ExtraHeaders.BareIds((string)header.Value).Select(id => "<" + id + ">"));
                    message.Headers.Replace(name, ids);
                }
                else
                {
                    message.Headers.Add(ExtraHeaders.Unstructured(name, (string)header.Value));
                }
            }
        }

        /// <summary>The -Header fields, each checked, as (name, string or DateTimeOffset) in order.</summary>
        private static List<KeyValuePair<string, object>> CheckHeaders(MessageDraft draft)
        {
            var result = new List<KeyValuePair<string, object>>();
            var singles = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, object> header in draft.Headers)
            {
                string name = header.Key;
                string? refused = ExtraHeaders.WhyRefused(name);
                if (refused != null)
                {
                    throw new MessageDraftException("HeaderNotAllowed", $"-Header '{name}': {refused}", name);
                }

                if (draft.Priority != MailPriority.Normal && (string.Equals(name, "Importance", StringComparison.OrdinalIgnoreCase) ||
                    string.Equals(name, "Priority", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "X-Priority", StringComparison.OrdinalIgnoreCase)))
                {
                    throw new MessageDraftException("HeaderNotAllowed", $"-Header '{name}': it is set by -Priority; give one or the other.", name);
                }

                bool single = ExtraHeaders.IsReplaceable(name);
                if (single && !singles.Add(name))
                {
                    throw new MessageDraftException("HeaderDuplicated", $"-Header '{name}' is given twice; the field occurs at most once (RFC 5322 3.6).", name);
                }

                object value = header.Value;
                if (single && string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase))
                {
                    if (!ExtraHeaders.TryDate(value, out DateTimeOffset date))
                    {
                        throw new MessageDraftException("InvalidHeaderValue", $"-Header Date '{value}' is not a date: give a [datetime] or an RFC 5322 date such as 'Tue, 1 Jul 2025 10:00:00 +0200'.", value);
                    }

                    result.Add(new KeyValuePair<string, object>(name, date));
                    continue;
                }

                string text = ExtraHeaders.Text(value);
                string? badValue = ExtraHeaders.WhyValueRefused(text);
                if (badValue != null)
                {
                    throw new MessageDraftException("InvalidHeaderValue", $"-Header '{name}': {badValue}", text);
                }

                // Message-ID holds one msg-id; In-Reply-To and References one or more (RFC 5322 3.6.4).
                bool messageId = string.Equals(name, "Message-ID", StringComparison.OrdinalIgnoreCase);
                if (messageId && !MessageIdSyntax.IsMsgId(WithBrackets(text)) || single && !messageId && !MessageIdSyntax.IsMsgIdList(text))
                {
                    throw new MessageDraftException("InvalidHeaderValue",
                        $"-Header {name} '{text}' is not a message identifier such as <unique-part@example.org> (RFC 5322 3.6.4).", text);
                }

                result.Add(new KeyValuePair<string, object>(name, messageId ? WithBrackets(text) : text));
            }

            return result;
        }

        private static string WithBrackets(string id)
        {
            id = id.Trim();
            return id.StartsWith("<", StringComparison.Ordinal) ? id : "<" + id + ">";
        }

        private static void CheckInlineImages(MessageDraft draft)
        {
            if (draft.InlineImages.Count > 0 && draft.HtmlBody == null)
            {
                throw new MessageDraftException("InlineImageNeedsHtml",
                    "-InlineImage needs an HTML body that shows the images: give -HtmlBody (or -Body with -BodyAsHtml) with <img src=\"cid:name\">.", null);
            }

            var ids = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (KeyValuePair<string, string> image in draft.InlineImages)
            {
                // RFC 2392: cid:name refers to Content-ID <name>; kept to msg-id characters so no client trips on it.
                if (!MessageIdSyntax.IsMsgId("<" + image.Key + (image.Key.IndexOf('@') < 0 ? "@x" : string.Empty) + ">") || !ids.Add(image.Key))
                {
                    throw new MessageDraftException("InvalidContentId",
                        $"-InlineImage '{image.Key}': a content id is a unique name of letters, digits and . - _ (or name@domain), referred to in the HTML as cid:{image.Key}.", image.Key);
                }

                CheckReadable("InlineImage", "InlineImageNotFound", image.Value);
            }
        }

        /// <summary>The file exists and can be opened now; it is opened again, and only then read, when the message is written.</summary>
        private static void CheckReadable(string parameter, string notFoundId, string path)
        {
            if (Directory.Exists(path))
            {
                throw new MessageDraftException(notFoundId, $"-{parameter} '{path}' is a directory; give files.", path);
            }

            if (!File.Exists(path))
            {
                throw new MessageDraftException(notFoundId, $"-{parameter}: cannot find the file '{path}'.", path);
            }

            try
            {
                using (new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1))
                {
                }
            }
            catch (Exception e) when (e is IOException || e is UnauthorizedAccessException)
            {
                throw new MessageDraftException("AttachmentUnreadable", $"-{parameter}: the file '{path}' cannot be read: {e.Message}", path);
            }
        }

        private static void CheckRepresentable(string parameter, string? text, Encoding charset)
        {
            if (text == null)
            {
                return;
            }

            Encoding strict = Encoding.GetEncoding(charset.CodePage, EncoderFallback.ExceptionFallback, DecoderFallback.ExceptionFallback);
            try
            {
                strict.GetByteCount(text);
            }
            catch (EncoderFallbackException e)
            {
                string what = e.CharUnknown != '\0' ? $"'{e.CharUnknown}' (U+{(int)e.CharUnknown:X4})" : "a character";
                throw new MessageDraftException("EncodingCannotRepresent",
                    $"-{parameter} has {what} at position {e.Index + 1}, which -Encoding {charset.WebName} cannot hold. Leave -Encoding out (UTF-8 holds every character).", charset.WebName);
            }
        }

        /// <summary>
        /// MimeKit folds header fields at white space; a word longer than a line cannot fold. RFC 5322
        /// 2.1.1 allows no line over 998 octets, so such a field is refused here, before anything is sent.
        /// </summary>
        private static void CheckHeaderLines(MimeMessage message)
        {
            using var headers = new MemoryStream();
            message.WriteTo(WireFormat.For(message), headers, headersOnly: true);
            string text = Encoding.UTF8.GetString(headers.ToArray());
            string field = string.Empty;
            foreach (string line in text.Split(new[] { "\r\n" }, StringSplitOptions.None))
            {
                if (line.Length > 0 && line[0] != ' ' && line[0] != '\t')
                {
                    field = line.Split(':')[0];
                }

                int octets = Encoding.UTF8.GetByteCount(line);
                if (octets > MaxLineLength)
                {
                    throw new MessageDraftException("HeaderLineTooLong",
                        $"The {field} field has a line of {octets} octets that cannot be folded (a word without spaces); RFC 5322 2.1.1 allows {MaxLineLength}. Shorten it or add spaces.", field);
                }
            }
        }

        /// <summary>The Message-ID's right part: the author's domain, IDNA-encoded (RFC 5322 3.6.4).</summary>
        private static string MessageIdDomain(MailboxAddress author)
        {
            string address = EnvelopeDefaults.Address(author);
            return address.Substring(address.LastIndexOf('@') + 1);
        }
    }
}
