using System.Collections.Generic;
using System.Globalization;
using SmtpPs.Content;
using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>
    /// The ESMTP parameters of MAIL and RCPT (RFC 1870, 6152, 6531, 3461), checked against what the server
    /// offers before anything of the message is sent. Only SmtpPs's own values go in; user text is
    /// xtext-encoded, so no parameter can carry a space, CR or LF. Each parameter raises the line limit by
    /// what its RFC allows, and the lines are checked before connecting, as if the server offered every
    /// extension, so that a message never fails on a line that is too long once the dialogue has begun.
    /// </summary>
    internal static class MailParameters
    {
        /// <summary>RFC 3461 4.4: an ENVID is at most 100 characters of xtext.</summary>
        public const int MaxEnvelopeIdXtext = 100;

        /// <summary>
        /// The MAIL parameters for this server, or null with <paramref name="notSent"/> saying why the message
        /// cannot go to it. <paramref name="dsn"/>: the server offers DSN and the caller asked for DSN parameters.
        /// </summary>
        public static EsmtpParameters? For(MessageContent content, Envelope envelope, ServerCapabilities offered, SessionOptions options,
            bool dsn, string server, out MessageProblem? notSent)
        {
            ContentFacts facts = content.Facts;
            string name = content.Name;
            notSent = null;
            var parameters = new List<string>();
            int allowance = 0;
            if (facts.HasEightBit)
            {
                if (!offered.EightBitMime)
                {
                    // RFC 6152: without 8BITMIME the octets above 127 cannot go; a raw message is never re-encoded.
                    notSent = MessageProblem.NotSent(SmtpNotSentReason.EightBitNotSupported,
                        $"'{name}' contains octets above 127 and {server} does not offer 8BITMIME; SmtpPs does not re-encode a raw message, so it was not sent.");
                    return null;
                }

                parameters.Add("BODY=8BITMIME");
                allowance += 16; // RFC 6152 2
            }

            long? limit = offered.SizeLimit;
            if (limit != null)
            {
                if (limit > 0 && facts.WireSize > limit)
                {
                    notSent = MessageProblem.NotSent(SmtpNotSentReason.TooLarge,
                        $"'{name}' is {facts.WireSize} octets and {server} takes at most {limit} (SIZE); it was not sent.");
                    return null;
                }

                parameters.Add("SIZE=" + facts.WireSize.ToString(CultureInfo.InvariantCulture));
                allowance += 26; // RFC 1870 3
            }

            if (envelope.NeedsSmtpUtf8 || facts.HeadersEightBit)
            {
                if (!offered.SmtpUtf8)
                {
                    notSent = MessageProblem.NotSent(SmtpNotSentReason.SmtpUtf8NotSupported,
                        $"'{name}' has {(envelope.NeedsSmtpUtf8 ? "an address" : "headers")} beyond ASCII and {server} does not offer SMTPUTF8 (RFC 6531); it was not sent.");
                    return null;
                }

                parameters.Add("SMTPUTF8");
                allowance += 10; // RFC 6531 3.1
            }

            if (dsn && (options.ReturnContent != null || options.EnvelopeId != null))
            {
                if (options.ReturnContent != null)
                {
                    parameters.Add(options.ReturnContent == SmtpReturnContent.Full ? "RET=FULL" : "RET=HDRS");
                }

                if (options.EnvelopeId != null)
                {
                    parameters.Add("ENVID=" + Xtext.Encode(options.EnvelopeId));
                }

                allowance += 110; // RFC 3461 4
            }

            return new EsmtpParameters(string.Join(" ", parameters), allowance);
        }

        /// <summary>DSN parameters of one RCPT (RFC 3461 4.1, 4.2): NOTIFY, and ORCPT for an ASCII address; they allow 500 more octets.</summary>
        public static EsmtpParameters ForRecipient(string recipient, SessionOptions options)
        {
            var parameters = new List<string>();
            SmtpDeliveryNotification notify = options.Notify;
            if (notify != SmtpDeliveryNotification.None)
            {
                var words = new List<string>();
                foreach (SmtpDeliveryNotification flag in new[] { SmtpDeliveryNotification.Never, SmtpDeliveryNotification.Success, SmtpDeliveryNotification.Failure, SmtpDeliveryNotification.Delay })
                {
                    if ((notify & flag) != 0)
                    {
                        words.Add(flag.ToString().ToUpperInvariant());
                    }
                }

                parameters.Add("NOTIFY=" + string.Join(",", words));
            }

            if (!CommandLine.NeedsUtf8(recipient))
            {
                parameters.Add("ORCPT=rfc822;" + Xtext.Encode(recipient));
            }

            return new EsmtpParameters(string.Join(" ", parameters), 500); // RFC 3461 4
        }

        /// <summary>
        /// Why the MAIL or a RCPT line of this message could be too long for some server, or null: the
        /// lines are built as if the server offered every extension, which gives the longest they can be.
        /// </summary>
        public static string? CheckLengths(MessageContent content, Envelope envelope, SessionOptions options)
        {
            EsmtpParameters mail = For(content, envelope, ServerCapabilities.Everything, options, options.WantsDsn, string.Empty, out _)!;
            string line = mail.AppendTo(envelope.MailCommand);
            string? problem = CommandLine.Check(line, mail.Allowance);
            if (problem != null)
            {
                return $"'{Shorten(line)}' cannot be sent: {problem}";
            }

            foreach (string recipient in envelope.To)
            {
                EsmtpParameters rcpt = options.WantsDsn ? ForRecipient(recipient, options) : EsmtpParameters.None;
                line = rcpt.AppendTo(Envelope.RcptCommand(recipient));
                problem = CommandLine.Check(line, rcpt.Allowance);
                if (problem != null)
                {
                    return $"'{Shorten(line)}' cannot be sent: {problem}";
                }
            }

            return null;
        }

        private static string Shorten(string line) => line.Length <= 100 ? line : line.Substring(0, 97) + "...";
    }
}
