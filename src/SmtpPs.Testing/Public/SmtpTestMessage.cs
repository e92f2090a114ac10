using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using MimeKit;

namespace SmtpPs
{
    /// <summary>
    /// A message a test server accepted: the envelope and session facts, the octets exactly as received,
    /// and views parsed by MimeKit on first use.
    /// </summary>
    public sealed class SmtpTestMessage
    {
        private readonly object _parseLock = new object();
        private MimeMessage? _mime;
        private IReadOnlyList<SmtpTestAttachment>? _attachments;

        internal SmtpTestMessage(byte[] raw, SmtpTestTransaction transaction, SmtpTestConnection connection, string queueId)
        {
            Raw = raw;
            MailFrom = transaction.MailFrom;
            RcptTo = transaction.RcptTo;
            Recipients = transaction.Recipients.Where(r => r.Accepted).ToArray();
            MailParameters = transaction.MailParameters;
            ConnectionId = connection.Id;
            HeloName = connection.HeloName;
            TlsProtocol = connection.TlsProtocol;
            AuthenticatedUser = connection.AuthenticatedUser;
            QueueId = queueId;
            Received = DateTime.Now;
        }

        /// <summary>Numbers the accepted messages of one server from 1, in arrival order.</summary>
        public int Number { get; internal set; }

        /// <summary>When the server accepted the message (local time).</summary>
        public DateTime Received { get; }

        /// <summary>The envelope sender (MAIL FROM); empty for the null reverse-path &lt;&gt;.</summary>
        public string MailFrom { get; }

        /// <summary>The envelope recipients the server accepted (RCPT TO), in order.</summary>
        public IReadOnlyList<string> RcptTo { get; }

        /// <summary>The accepted recipients with their ESMTP parameters (NOTIFY, ORCPT).</summary>
        public IReadOnlyList<SmtpTestRecipient> Recipients { get; }

        /// <summary>ESMTP parameters of MAIL (SIZE, BODY, SMTPUTF8, RET, ENVID, AUTH) by upper-case keyword.</summary>
        public IReadOnlyDictionary<string, string?> MailParameters { get; }

        /// <summary>
        /// The message octets exactly as received: after dot-unstuffing (DATA) or reassembly (BDAT), with
        /// the CRLF that ends the last line and without the terminating dot. Held once: the parsed views
        /// read from this array.
        /// </summary>
        public byte[] Raw { get; }

        public long Size => Raw.LongLength;

        /// <summary>The name the client gave in EHLO or HELO.</summary>
        public string? HeloName { get; }

        /// <summary>True when the message came over TLS.</summary>
        public bool UsedTls => TlsProtocol != null;

        /// <summary>The TLS protocol (Tls12, Tls13), or null.</summary>
        public string? TlsProtocol { get; }

        /// <summary>The user name the client authenticated as, or null.</summary>
        public string? AuthenticatedUser { get; }

        public int ConnectionId { get; }

        /// <summary>The queue id the server gave in its 250 reply to the end of data.</summary>
        public string QueueId { get; }

        /// <summary>The message parsed by MimeKit (on first use, from <see cref="Raw"/> without a copy).</summary>
        public MimeMessage Mime
        {
            get
            {
                lock (_parseLock)
                {
                    // persistent: MimeKit keeps offsets into the stream instead of copying the content.
                    return _mime ??= MimeMessage.Load(new MemoryStream(Raw, 0, Raw.Length, writable: false, publiclyVisible: true), persistent: true);
                }
            }
        }

        /// <summary>The Subject header, decoded (RFC 2047); empty when there is none.</summary>
        public string Subject => Mime.Subject ?? string.Empty;

        /// <summary>The header fields in order; index by name for the first value: $m.Headers['X-Mailer'].</summary>
        public HeaderList Headers => Mime.Headers;

        /// <summary>The addresses of the From header.</summary>
        public IReadOnlyList<string> From => Addresses(Mime.From);

        /// <summary>The addresses of the To header.</summary>
        public IReadOnlyList<string> To => Addresses(Mime.To);

        /// <summary>The addresses of the Cc header.</summary>
        public IReadOnlyList<string> Cc => Addresses(Mime.Cc);

        /// <summary>The addresses of the Bcc header (present only when the client left it in the message).</summary>
        public IReadOnlyList<string> Bcc => Addresses(Mime.Bcc);

        /// <summary>The text/plain body, decoded; null when there is none.</summary>
        public string? TextBody => Mime.TextBody;

        /// <summary>The text/html body, decoded; null when there is none.</summary>
        public string? HtmlBody => Mime.HtmlBody;

        /// <summary>The attachments: name, media type and decoded bytes.</summary>
        public IReadOnlyList<SmtpTestAttachment> Attachments
        {
            get
            {
                lock (_parseLock)
                {
                    return _attachments ??= Mime.Attachments.Select(ToAttachment).ToArray();
                }
            }
        }

        /// <summary>Writes <see cref="Raw"/> to a file (an .eml file any mail program opens), replacing it.</summary>
        public void Save(string path)
        {
            File.WriteAllBytes(path, Raw);
        }

        public override string ToString() => $"<{MailFrom}> to {string.Join(", ", RcptTo)}: {Subject}";

        private static IReadOnlyList<string> Addresses(InternetAddressList list) => list.Mailboxes.Select(m => m.Address).ToArray();

        private static SmtpTestAttachment ToAttachment(MimeEntity entity)
        {
            using var content = new MemoryStream();
            if (entity is MimePart part)
            {
                part.Content?.DecodeTo(content);
                return new SmtpTestAttachment(part.FileName, part.ContentType.MimeType, content.ToArray());
            }

            // An attached message (message/rfc822) is its whole text.
            if (entity is MessagePart message && message.Message != null)
            {
                message.Message.WriteTo(content);
            }

            return new SmtpTestAttachment(entity.ContentDisposition?.FileName ?? entity.ContentType.Name, entity.ContentType.MimeType, content.ToArray());
        }
    }
}
