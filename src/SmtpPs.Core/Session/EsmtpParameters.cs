namespace SmtpPs.Session
{
    /// <summary>The ESMTP parameters of one MAIL or RCPT line, and how much longer than 512 octets they let the line be.</summary>
    internal sealed class EsmtpParameters
    {
        public static readonly EsmtpParameters None = new EsmtpParameters(string.Empty, 0);

        public EsmtpParameters(string text, int allowance)
        {
            Text = text;
            Allowance = allowance;
        }

        /// <summary>The parameters, space-separated, without a leading space; empty for none.</summary>
        public string Text { get; }

        /// <summary>Octets the parameters' RFCs add to the 512-octet line limit (RFC 5321 4.5.3.1.4).</summary>
        public int Allowance { get; }

        /// <summary><paramref name="command"/> with the parameters appended.</summary>
        public string AppendTo(string command) => Text.Length == 0 ? command : command + " " + Text;
    }
}
