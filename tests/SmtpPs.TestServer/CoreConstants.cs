namespace SmtpPs.TestServer
{
    /// <summary>The core's sizes that tests build their boundary cases from, so that a test named after a boundary still crosses it when the constant changes.</summary>
    public static class CoreConstants
    {
        /// <summary>The block size content is read, scanned and sent in (also one BDAT chunk).</summary>
        public static int ReadBlockSize => SmtpPs.Content.ContentScanner.BlockSize;

        /// <summary>The header block kept for -RecipientsFromHeaders and the Bcc warning.</summary>
        public static int MaxHeaderBytes => SmtpPs.Content.ContentScanner.MaxHeaderBytes;

        /// <summary>RFC 5321 4.5.3.1.4: the command line limit, CRLF included.</summary>
        public static int MaxCommandLength => SmtpPs.Protocol.CommandLine.MaxLength;
    }
}
