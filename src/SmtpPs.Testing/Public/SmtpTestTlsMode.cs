namespace SmtpPs
{
    /// <summary>How a test server offers TLS.</summary>
    public enum SmtpTestTlsMode
    {
        /// <summary>Plain SMTP; STARTTLS is not offered.</summary>
        None,

        /// <summary>STARTTLS is offered after EHLO (RFC 3207).</summary>
        StartTls,

        /// <summary>TLS from the first byte, as on port 465 (RFC 8314).</summary>
        Implicit,
    }
}
