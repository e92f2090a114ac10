using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>One command line, encoded for the wire by the one choke point (<see cref="CommandLine"/>), and how it is shown.</summary>
    internal sealed class SmtpCommand
    {
        private SmtpCommand(byte[] wire, string shown, SmtpStage stage, string? path)
        {
            Wire = wire;
            Shown = shown;
            Stage = stage;
            Path = path;
        }

        /// <summary>The octets that go on the wire, CRLF included.</summary>
        public byte[] Wire { get; }

        /// <summary>What replies, the log and errors say was sent: the line itself, or its redacted form.</summary>
        public string Shown { get; }

        public SmtpStage Stage { get; }

        /// <summary>The message the command belongs to; null for commands of the session (EHLO, QUIT).</summary>
        public string? Path { get; }

        public static SmtpCommand Of(string line, SmtpStage stage, string? path = null) =>
            new SmtpCommand(CommandLine.Encode(line), line, stage, path);

        /// <summary>MAIL or RCPT with ESMTP parameters, whose RFCs allow the line to be longer by <paramref name="allowance"/> octets.</summary>
        public static SmtpCommand WithParameters(EsmtpParameters parameters, string line, SmtpStage stage, string? path) =>
            new SmtpCommand(CommandLine.Encode(line, parameters.Allowance), line, stage, path);

        /// <summary>A line that carries a secret (AUTH with an initial response): shown as <paramref name="shown"/>.</summary>
        public static SmtpCommand Redacted(string line, string shown, SmtpStage stage) =>
            new SmtpCommand(CommandLine.Encode(line), shown, stage, null);

        /// <summary>An answer to an AUTH challenge (RFC 4954 4): base64, "*" or empty, up to 12288 octets.</summary>
        public static SmtpCommand SaslResponse(string line, string shown) =>
            new SmtpCommand(CommandLine.EncodeSaslResponse(line), shown, SmtpStage.Auth, null);
    }
}
