using System;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>
    /// How a MIME message is written for the wire: CRLF line ends (RFC 5322 2.1, RFC 5321 2.3.8), no
    /// Bcc or Resent-Bcc field (RFC 5322 3.6.3: their addresses are for the envelope only), and a final
    /// line break. Non-ASCII text is RFC 2047/2231 encoded, so the message is ASCII, except when an
    /// address's local part is not ASCII: no encoding can carry that, the message needs SMTPUTF8
    /// (RFC 6531) anyway, and MimeKit then writes the header text in UTF-8 as RFC 6532 allows.
    /// </summary>
    internal static class WireFormat
    {
        public static FormatOptions For(MimeMessage message)
        {
            var options = new FormatOptions
            {
                NewLineFormat = NewLineFormat.Dos,
                EnsureNewLine = true,
                ParameterEncodingMethod = ParameterEncodingMethod.Rfc2231,
                International = HasInternationalAddress(message),
            };
            options.HiddenHeaders.Add(HeaderId.Bcc);
            options.HiddenHeaders.Add(HeaderId.ResentBcc);
            return options;
        }

        /// <summary>True when an address's local part is not ASCII: no encoding can carry it without SMTPUTF8.</summary>
        public static bool HasInternationalAddress(MimeMessage message)
        {
            if (message.Sender != null && !IsAscii(message.Sender.LocalPart))
            {
                return true;
            }

            foreach (InternetAddressList list in new[] { message.From, message.ReplyTo, message.To, message.Cc, message.Bcc })
            {
                foreach (MailboxAddress mailbox in list.Mailboxes)
                {
                    if (!IsAscii(mailbox.LocalPart))
                    {
                        return true;
                    }
                }
            }

            return false;
        }

        public static bool IsAscii(string text)
        {
            foreach (char c in text)
            {
                if (c > '\u007f')
                {
                    return false;
                }
            }

            return true;
        }
    }
}
