using System.Text.RegularExpressions;

namespace SmtpPs.Protocol
{
    /// <summary>The queue id in a final 250, in the forms the common servers use; empty when there is none.</summary>
    internal static class QueueId
    {
        private static readonly Regex[] Forms =
        {
            new Regex(@"queued as ([A-Za-z0-9._-]+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant), // Postfix, smtp-sink
            new Regex(@"\bid=([A-Za-z0-9._-]+)", RegexOptions.CultureInvariant),                             // Exim
            new Regex(@"\[InternalId=([0-9]+)", RegexOptions.CultureInvariant),                              // Exchange
        };

        public static string Parse(string text)
        {
            foreach (Regex form in Forms)
            {
                Match match = form.Match(text);
                if (match.Success)
                {
                    return match.Groups[1].Value;
                }
            }

            return string.Empty;
        }
    }
}
