using System;
using System.Collections.Generic;
using System.Management.Automation;
using SmtpPs.Content;
using SmtpPs.Protocol;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// The envelope of each file: -From and -To as given, or taken from the file's own headers
    /// (-From left out: the From: address; -RecipientsFromHeaders: To, Cc and Bcc, as `sendmail -t`).
    /// Every address, from a parameter or a header, passes the same checks before anything is sent.
    /// </summary>
    internal static class MessageEnvelopes
    {
        public static Envelope For(PSCmdlet cmdlet, MessageContent message, string? from, string[]? to, bool recipientsFromHeaders)
        {
            string headers = message.Facts.Headers;
            string sender = from ?? FromHeader(cmdlet, message);
            var recipients = new List<string>(to ?? Array.Empty<string>());
            if (recipientsFromHeaders)
            {
                foreach (string field in new[] { "To", "Cc", "Bcc" })
                {
                    foreach (string value in HeaderFields.Values(headers, field))
                    {
                        foreach (string address in HeaderFields.Addresses(value))
                        {
                            Check(cmdlet, message, field, address, MailboxRules.CheckRecipient(address));
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
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"'{message.Name}' has no recipient: -RecipientsFromHeaders found no address in its To, Cc or Bcc header."),
                    "NoRecipients", ErrorCategory.InvalidData, message.Name));
            }

            return new Envelope(sender, recipients);
        }

        private static string FromHeader(PSCmdlet cmdlet, MessageContent message)
        {
            List<string> values = HeaderFields.Values(message.Facts.Headers, "From");
            List<string> addresses = values.Count == 0 ? new List<string>() : HeaderFields.Addresses(values[0]);
            if (addresses.Count == 0)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"-From was not given and '{message.Name}' has no From: header to take the sender from."),
                    "NoSender", ErrorCategory.InvalidData, message.Name));
            }

            // RFC 5322 3.6.2 allows several authors; the envelope has one sender: the first.
            Check(cmdlet, message, "From", addresses[0], MailboxRules.CheckSender(addresses[0]));
            return addresses[0];
        }

        private static void Check(PSCmdlet cmdlet, MessageContent message, string field, string address, string? problem)
        {
            if (problem != null)
            {
                cmdlet.ThrowTerminatingError(new ErrorRecord(
                    new ArgumentException($"The {field}: header of '{message.Name}' has the address '{address}': {problem}"),
                    "InvalidHeaderAddress", ErrorCategory.InvalidData, message.Name));
            }
        }
    }
}
