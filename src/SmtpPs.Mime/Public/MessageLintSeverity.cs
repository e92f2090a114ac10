namespace SmtpPs
{
    /// <summary>How bad a lint finding is.</summary>
    public enum MessageLintSeverity
    {
        /// <summary>Allowed by the RFCs but a problem in practice: receivers may refuse it, or it leaks something.</summary>
        Warning = 0,

        /// <summary>Breaks an RFC rule that receiving systems enforce.</summary>
        Error = 1,
    }
}
