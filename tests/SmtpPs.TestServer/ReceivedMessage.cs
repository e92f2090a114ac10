using System;
using System.Linq;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// A message the tests' server accepted, in the names the tests were written with; read from the
    /// capture server's <see cref="SmtpTestMessage"/>, which <see cref="Captured"/> gives whole.
    /// </summary>
    public sealed class ReceivedMessage
    {
        internal ReceivedMessage(SmtpTestMessage captured)
        {
            Captured = captured;
        }

        /// <summary>The capture server's record: parsed views, MAIL parameters, HELO name, TLS protocol.</summary>
        public SmtpTestMessage Captured { get; }

        /// <summary>The envelope sender; empty for the null reverse-path.</summary>
        public string From => Captured.MailFrom;

        /// <summary>The envelope recipients the server accepted, in order.</summary>
        public string[] To => Captured.RcptTo.ToArray();

        /// <summary>The user the session authenticated as, or null.</summary>
        public string? User => Captured.AuthenticatedUser;

        /// <summary>True when the message came over TLS.</summary>
        public bool Secure => Captured.UsedTls;

        /// <summary>
        /// The message as RFC 5321 4.1.1.4 defines it: the octets after dot-unstuffing, up to and including
        /// the CRLF that ends the last line, without the terminating ".CRLF".
        /// </summary>
        public byte[] Content => Captured.Raw;

        /// <summary><see cref="Content"/> without the CRLF that ends its last line.</summary>
        public byte[] Data
        {
            get
            {
                byte[] raw = Captured.Raw;
                bool endsWithCrLf = raw.Length >= 2 && raw[raw.Length - 2] == '\r' && raw[raw.Length - 1] == '\n';
                return endsWithCrLf ? raw.AsSpan(0, raw.Length - 2).ToArray() : raw;
            }
        }

        /// <summary><see cref="Content"/> as Latin-1 text: one char per byte, so every CR and LF stays visible.</summary>
        public string Text => System.Text.Encoding.Latin1.GetString(Content);

        public override string ToString() => Captured.ToString();
    }
}
