namespace SmtpPs
{
    /// <summary>How a transaction on a test server ended.</summary>
    public enum SmtpTestOutcome
    {
        /// <summary>Still open: MAIL was accepted and the transaction has not ended yet.</summary>
        Open,

        /// <summary>The final dot (or BDAT LAST) was answered with 2xx: the message was captured.</summary>
        Accepted,

        /// <summary>A negative reply ended it (to MAIL, DATA, BDAT or the end of data), or every RCPT was refused.</summary>
        Refused,

        /// <summary>The client ended it: RSET, QUIT, a new EHLO or STARTTLS, or closing the connection.</summary>
        Aborted,

        /// <summary>The server closed the connection in the middle of it (a scripted fault).</summary>
        Disconnected,
    }
}
