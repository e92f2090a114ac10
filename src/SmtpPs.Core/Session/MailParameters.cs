using System.Collections.Generic;
using System.Globalization;
using SmtpPs.Content;
using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>
    /// The ESMTP parameters of MAIL and RCPT (RFC 1870, 6152, 6531, 3461), checked against what the server
    /// offers before anything of the message is sent. Only SmtpPs's own values go in; user text is
    /// xtext-encoded, so no parameter can carry a space, CR or LF.
    /// </summary>
    internal static class MailParameters
    {
        /// <summary>The MAIL parameters, or null with <paramref name="notSent"/> saying why the message cannot go to this server.</summary>
        public static string? For(MessageContent content, Envelope envelope, SmtpSession session, out MessageProblem? notSent)
        {
            ContentFacts facts = content.Facts;
            ServerCapabilities offered = session.Capabilities;
            string name = content.Name;
            string server = session.ServerName;
            notSent = null;
            var parameters = new List<string>();
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
            }

            SessionOptions options = session.Options;
            if (session.UsesDsn())
            {
                if (options.ReturnContent != null)
                {
                    parameters.Add(options.ReturnContent == SmtpReturnContent.Full ? "RET=FULL" : "RET=HDRS");
                }

                if (options.EnvelopeId != null)
                {
                    parameters.Add("ENVID=" + Xtext.Encode(options.EnvelopeId));
                }
            }

            return string.Join(" ", parameters);
        }

        /// <summary>DSN parameters of one RCPT (RFC 3461 4.1, 4.2): NOTIFY, and ORCPT for an ASCII address.</summary>
        public static string ForRecipient(string recipient, SessionOptions options)
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

            return string.Join(" ", parameters);
        }
    }
}
