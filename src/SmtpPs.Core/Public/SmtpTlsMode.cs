namespace SmtpPs
{
    /// <summary>When the session uses TLS.</summary>
    public enum SmtpTlsMode
    {
        /// <summary>Port 465: implicit TLS. Any other port: STARTTLS when offered, and required when credentials are given.</summary>
        Auto,

        /// <summary>Plain SMTP; credentials then need -AllowUnencryptedAuthentication.</summary>
        None,

        /// <summary>STARTTLS when the server offers it; plain SMTP when it does not (or declines it).</summary>
        StartTlsWhenAvailable,

        /// <summary>STARTTLS is required: without it nothing is sent.</summary>
        StartTls,

        /// <summary>TLS from the first byte (RFC 8314), as on port 465.</summary>
        Implicit,
    }
}
