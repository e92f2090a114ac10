namespace SmtpPs.Mime
{
    /// <summary>How a message object is named in output and errors, the way mail tools show it.</summary>
    internal static class MessageNames
    {
        public static string For(string? messageId) => string.IsNullOrEmpty(messageId) ? "(message without Message-ID)" : "<" + messageId + ">";
    }
}
