using System;
using System.Collections.Generic;
using System.Linq;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>
    /// The envelope a message implies when none is given: the sender from Sender, or else the first
    /// From mailbox (RFC 5322 3.6.2: Sender names the agent that transmits); the recipients from To,
    /// Cc and Bcc, each address once. A resent message (RFC 5322 3.6.6) uses its Resent- fields instead,
    /// as sendmail -t and MailKit do. Domains are IDNA-encoded so that only a non-ASCII local part
    /// needs SMTPUTF8.
    /// </summary>
    internal sealed class EnvelopeDefaults
    {
        private EnvelopeDefaults(string? from, IReadOnlyList<string> to)
        {
            From = from;
            To = to;
        }

        /// <summary>The reverse-path, or null when the message names no sender.</summary>
        public string? From { get; }

        /// <summary>The forward-paths, in header order, without duplicates (compared case-insensitively).</summary>
        public IReadOnlyList<string> To { get; }

        public static EnvelopeDefaults For(MimeMessage message)
        {
            bool resent = message.ResentSender != null || message.ResentFrom.Count > 0;
            MailboxAddress? sender = resent
                ? message.ResentSender ?? message.ResentFrom.Mailboxes.FirstOrDefault()
                : message.Sender ?? message.From.Mailboxes.FirstOrDefault();
            IEnumerable<InternetAddressList> lists = resent
                ? new[] { message.ResentTo, message.ResentCc, message.ResentBcc }
                : new[] { message.To, message.Cc, message.Bcc };

            var recipients = new List<string>();
            var seen = new HashSet<string>(StringComparer.OrdinalIgnoreCase);
            foreach (MailboxAddress mailbox in lists.SelectMany(list => list.Mailboxes))
            {
                string address = Address(mailbox);
                if (seen.Add(address))
                {
                    recipients.Add(address);
                }
            }

            return new EnvelopeDefaults(sender is null ? null : Address(sender), recipients);
        }

        /// <summary>The addr-spec with an IDNA (punycode) domain.</summary>
        public static string Address(MailboxAddress mailbox) => mailbox.GetAddress(true);
    }
}
