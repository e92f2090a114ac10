namespace SmtpPs
{
    /// <summary>
    /// The reply-class rules, in one place (RFC 5321 4.2.1): the first digit decides, never the text.
    /// </summary>
    public static class ReplyClass
    {
        public static bool IsPositive(int code) => code >= 200 && code < 400;

        public static bool IsTransient(int code) => code >= 400 && code < 500;

        public static bool IsPermanent(int code) => code >= 500 && code < 600;

        /// <summary>421 answers any command when the server is closing the channel (RFC 5321 3.8).</summary>
        public static bool IsServiceClosing(int code) => code == 421;
    }
}
