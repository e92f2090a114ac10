namespace SmtpPs
{
    /// <summary>The ESMTP extensions a test server advertises unless told not to (STARTTLS follows the TLS mode).</summary>
    public enum SmtpTestExtension
    {
        /// <summary>PIPELINING (RFC 2920).</summary>
        Pipelining,

        /// <summary>8BITMIME (RFC 6152): BODY=8BITMIME on MAIL.</summary>
        EightBitMime,

        /// <summary>SMTPUTF8 (RFC 6531): international addresses and headers.</summary>
        SmtpUtf8,

        /// <summary>CHUNKING (RFC 3030): BDAT.</summary>
        Chunking,

        /// <summary>SIZE (RFC 1870), with the limit when one is set.</summary>
        Size,

        /// <summary>DSN (RFC 3461): RET and ENVID on MAIL, NOTIFY and ORCPT on RCPT.</summary>
        Dsn,

        /// <summary>AUTH PLAIN LOGIN (RFC 4954).</summary>
        Auth,
    }
}
