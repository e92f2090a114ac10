namespace SmtpPs
{
    /// <summary>
    /// Where -QuitAfter stops the dialogue: after that step the session says QUIT (and RSET first when a
    /// transaction was open), so a server, its TLS, the credentials or the recipients can be checked
    /// without delivering anything.
    /// </summary>
    public enum SmtpQuitAfter
    {
        /// <summary>Run the whole dialogue and deliver.</summary>
        None,

        /// <summary>After the greeting.</summary>
        Connect,

        /// <summary>After EHLO (or HELO).</summary>
        Ehlo,

        /// <summary>After STARTTLS and the EHLO that follows it.</summary>
        StartTls,

        /// <summary>After AUTH.</summary>
        Auth,

        /// <summary>After MAIL FROM, for each file.</summary>
        Mail,

        /// <summary>After the RCPT TOs, for each file: which recipients would be accepted.</summary>
        Rcpt,
    }
}
