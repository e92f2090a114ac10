using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using MimeKit;
using MimeKit.IO;
using SmtpPs.Mime;

namespace SmtpPs
{
    /// <summary>
    /// A message New-MimeMessage composed: inspect it, save it, or pipe it to Send-RawSmtpMail. Its
    /// properties read the underlying MimeKit <see cref="MimeKit.MimeMessage"/> each time, so they
    /// follow changes made to it. Its wire form (<see cref="ToString"/>, <see cref="WriteTo(Stream)"/>)
    /// has CRLF line ends and no Bcc field; attachments are read from their files as it is written.
    /// </summary>
    public sealed class ComposedMessage
    {
        internal ComposedMessage(MimeMessage message)
        {
            MimeMessage = message;
            Source = new MimeKitMessageSource(message);
        }

        /// <summary>The MimeKit message itself, for what the properties here do not cover.</summary>
        public MimeMessage MimeMessage { get; }

        internal MimeSource Source { get; }

        /// <summary>The authors, as "Name &lt;address&gt;".</summary>
        public string[] From => Addresses(MimeMessage.From);

        /// <summary>The agent that sends for the authors, when it is not the author (RFC 5322 3.6.2); otherwise null.</summary>
        public string? Sender => MimeMessage.Sender is null ? null : Display(MimeMessage.Sender);

        /// <summary>The primary recipients.</summary>
        public string[] To => Addresses(MimeMessage.To);

        /// <summary>The copy recipients.</summary>
        public string[] Cc => Addresses(MimeMessage.Cc);

        /// <summary>The blind copy recipients: envelope recipients only, never written in the message.</summary>
        public string[] Bcc => Addresses(MimeMessage.Bcc);

        /// <summary>Where replies go, when not to the authors.</summary>
        public string[] ReplyTo => Addresses(MimeMessage.ReplyTo);

        /// <summary>The subject, decoded.</summary>
        public string Subject => MimeMessage.Subject ?? string.Empty;

        /// <summary>The Date field.</summary>
        public DateTimeOffset Date => MimeMessage.Date;

        /// <summary>The Message-ID, with its angle brackets, as mail logs show it.</summary>
        public string MessageId => MessageNames.For(MimeMessage.MessageId);

        /// <summary>The header fields as they go on the wire (no Bcc), each "Name: value" with the value decoded.</summary>
        public string[] Headers => MimeMessage.Headers
            .Concat(MimeMessage.Body?.Headers ?? Enumerable.Empty<Header>())
            .Where(h => h.Id != HeaderId.Bcc && h.Id != HeaderId.ResentBcc)
            .Select(h => $"{h.Field}: {h.Value}")
            .ToArray();

        /// <summary>The attachments and inline images, in the order they are written.</summary>
        public ComposedAttachment[] Attachments => MimeMessage.BodyParts
            .OfType<MimePart>()
            .Where(p => p.IsAttachment || p.ContentId != null)
            .Select(p => new ComposedAttachment(
                p.FileName ?? string.Empty,
                p.ContentType.MimeType,
                p.ContentId,
                !p.IsAttachment,
                (p.Content as AttachmentFileContent)?.Path))
            .ToArray();

        /// <summary>
        /// The size of the wire form in octets. Computed on demand by writing the message to a counter,
        /// which reads every attachment file once.
        /// </summary>
        public long Size
        {
            get
            {
                using var counter = new MeasuringStream();
                WriteTo(counter);
                return counter.Length;
            }
        }

        /// <summary>The envelope sender the message implies: Sender, or else the first From address.</summary>
        public string? EnvelopeFrom => Source.Envelope.From;

        /// <summary>The envelope recipients the message implies: To, Cc and Bcc, each address once.</summary>
        public string[] EnvelopeTo => Source.Envelope.To.ToArray();

        /// <summary>Writes the wire form to <paramref name="stream"/>.</summary>
        public void WriteTo(Stream stream) => WriteTo(stream, CancellationToken.None);

        /// <summary>Writes the wire form to <paramref name="stream"/>; cancellable between blocks.</summary>
        public void WriteTo(Stream stream, CancellationToken cancellationToken)
        {
            if (stream is null)
            {
                throw new ArgumentNullException(nameof(stream));
            }

            Source.WriteTo(stream, cancellationToken);
        }

        /// <summary>The wire form as text: exactly the octets that are sent, read as UTF-8.</summary>
        public override string ToString()
        {
            using var buffer = new MemoryStream();
            WriteTo(buffer);
            return new UTF8Encoding(false).GetString(buffer.GetBuffer(), 0, (int)buffer.Length);
        }

        private static string[] Addresses(InternetAddressList list) => list.Select(Display).ToArray();

        /// <summary>"Name &lt;addr&gt;" as people write it: the name quoted only when RFC 5322 3.2.3 needs it.</summary>
        private static string Display(InternetAddress address)
        {
            if (!(address is MailboxAddress mailbox))
            {
                return address.ToString();
            }

            string? name = mailbox.Name;
            if (name is null || name.Length == 0)
            {
                return mailbox.Address;
            }

            bool quote = name.IndexOfAny("()<>[]:;@\\,.\"".ToCharArray()) >= 0 || name.Trim() != name;
            return $"{(quote ? MimeKit.Utils.MimeUtils.Quote(name) : name)} <{mailbox.Address}>";
        }
    }
}
