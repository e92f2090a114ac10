using System;
using System.Collections.Generic;
using SmtpPs.Content;
using SmtpPs.Protocol;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// The envelope of each message: -From and -To as given, or taken from the message's own headers
    /// (-From left out: the From: address; -RecipientsFromHeaders: To, Cc and Bcc, as `sendmail -t`).
    /// Every address, from a parameter or a header, passes the same checks before anything is sent; a
    /// message whose headers cannot give a usable envelope is a problem of that message alone.
    /// </summary>
    internal static class MessageEnvelopes
    {
        /// <summary>
        /// The envelope of a MIME object: -From, else the sender its fields imply; -To, else (and with
        /// -RecipientsFromHeaders, also) its To, Cc and Bcc. Every address passes the same checks.
        /// </summary>
        public static Envelope? For(MessageContent message, Mime.EnvelopeDefaults implied, string? from, string[]? to, bool recipientsFromHeaders,
            out MessageProblem? problem)
        {
            problem = null;
            string? sender = from ?? implied.From;
            if (sender == null)
            {
                problem = MessageProblem.Unusable("NoSender", $"-From was not given and '{message.Name}' names no sender (no Sender: or From: field).");
                return null;
            }

            if (from == null && (problem = Check(message, "From", sender, MailboxRules.CheckSender(sender))) != null)
            {
                return null;
            }

            var recipients = new List<string>(to ?? Array.Empty<string>());
            if (to == null || recipientsFromHeaders)
            {
                foreach (string address in implied.To)
                {
                    if ((problem = Check(message, "To, Cc or Bcc", address, MailboxRules.CheckRecipient(address))) != null)
                    {
                        return null;
                    }

                    if (!recipients.Exists(r => string.Equals(r, address, StringComparison.OrdinalIgnoreCase)))
                    {
                        recipients.Add(address);
                    }
                }
            }

            if (recipients.Count == 0)
            {
                problem = MessageProblem.Unusable("NoRecipients", $"'{message.Name}' has no recipient: -To was not given and it has no To, Cc or Bcc address.");
                return null;
            }

            return new Envelope(sender, recipients);
        }

        /// <summary>The envelope of raw content, or null with <paramref name="problem"/> saying why there is none.</summary>
        public static Envelope? For(MessageContent message, string? from, string[]? to, bool recipientsFromHeaders, out MessageProblem? problem)
        {
            problem = null;
            if (to == null && !recipientsFromHeaders)
            {
                problem = MessageProblem.Unusable("RecipientsRequired",
                    $"'{message.Name}' has no recipients: give them with -To, or take them from its headers with -RecipientsFromHeaders.");
                return null;
            }

            ContentFacts facts = message.Facts;
            if (facts.HeadersTruncated && (from == null || recipientsFromHeaders))
            {
                // A cut header block could cut an address in half: never take an envelope from it.
                problem = MessageProblem.Unusable("HeaderBlockTooLong",
                    $"'{message.Name}' has a header block longer than {ContentScanner.MaxHeaderBytes} octets, so its addresses are not taken " +
                    "from it; give the envelope with -From and -To.");
                return null;
            }

            string? sender = from ?? FromHeader(message, out problem);
            if (sender == null)
            {
                return null;
            }

            var recipients = new List<string>(to ?? Array.Empty<string>());
            if (recipientsFromHeaders)
            {
                foreach (string field in new[] { "To", "Cc", "Bcc" })
                {
                    foreach (string value in HeaderFields.Values(facts.Headers, field))
                    {
                        foreach (string address in HeaderFields.Addresses(value))
                        {
                            if ((problem = Check(message, field, address, MailboxRules.CheckRecipient(address))) != null)
                            {
                                return null;
                            }

                            if (!recipients.Exists(r => string.Equals(r, address, StringComparison.OrdinalIgnoreCase)))
                            {
                                recipients.Add(address);
                            }
                        }
                    }
                }
            }

            if (recipients.Count == 0)
            {
                problem = MessageProblem.Unusable("NoRecipients",
                    $"'{message.Name}' has no recipient: -RecipientsFromHeaders found no address in its To, Cc or Bcc header.");
                return null;
            }

            return new Envelope(sender, recipients);
        }

        private static string? FromHeader(MessageContent message, out MessageProblem? problem)
        {
            List<string> values = HeaderFields.Values(message.Facts.Headers, "From");
            List<string> addresses = values.Count == 0 ? new List<string>() : HeaderFields.Addresses(values[0]);
            if (addresses.Count == 0)
            {
                problem = MessageProblem.Unusable("NoSender",
                    $"-From was not given and '{message.Name}' has no From: header to take the sender from.");
                return null;
            }

            // RFC 5322 3.6.2 allows several authors; the envelope has one sender: the first.
            problem = Check(message, "From", addresses[0], MailboxRules.CheckSender(addresses[0]));
            return problem == null ? addresses[0] : null;
        }

        private static MessageProblem? Check(MessageContent message, string field, string address, string? problem) =>
            problem == null
                ? null
                : MessageProblem.Unusable("InvalidHeaderAddress", $"The {field}: header of '{message.Name}' has the address '{address}': {problem}");
    }
}
