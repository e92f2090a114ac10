using System.Collections.Generic;
using System.Linq;

namespace SmtpPs.Session
{
    /// <summary>The SMTP envelope: who the message is from and to, apart from its headers.</summary>
    internal sealed class Envelope
    {
        public Envelope(string from, IReadOnlyList<string> to)
        {
            From = from;
            To = to;
        }

        /// <summary>The reverse-path; empty for the null path &lt;&gt; (bounces).</summary>
        public string From { get; }

        public IReadOnlyList<string> To { get; }

        public string MailCommand => $"MAIL FROM:<{From}>";

        /// <summary>An address beyond ASCII needs SMTPUTF8 (RFC 6531).</summary>
        public bool NeedsSmtpUtf8 => Protocol.CommandLine.NeedsUtf8(From) || To.Any(Protocol.CommandLine.NeedsUtf8);

        public static string RcptCommand(string recipient) => $"RCPT TO:<{recipient}>";
    }
}
