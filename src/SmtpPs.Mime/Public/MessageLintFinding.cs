namespace SmtpPs
{
    /// <summary>
    /// One problem Test-MimeMessage found in a message: which rule, where the rule comes from, and the
    /// line of the message (as it is on the wire) where it is, when it has one.
    /// </summary>
    public sealed class MessageLintFinding
    {
        internal MessageLintFinding(string rule, string reference, MessageLintSeverity severity, int? line, string message, string source, string? path)
        {
            Rule = rule;
            Reference = reference;
            Severity = severity;
            Line = line;
            Message = message;
            Source = source;
            Path = path;
        }

        /// <summary>A stable rule id, such as FromMissing or LineTooLong.</summary>
        public string Rule { get; }

        /// <summary>Where the rule comes from: an RFC section, or the receivers' policy.</summary>
        public string Reference { get; }

        /// <summary>Error for a broken RFC rule that receivers enforce; Warning for the rest.</summary>
        public MessageLintSeverity Severity { get; }

        /// <summary>The line (1-based) of the message, or null for a problem of the whole message (a missing field).</summary>
        public int? Line { get; }

        /// <summary>What is wrong, and how to fix it.</summary>
        public string Message { get; }

        /// <summary>What was checked: the file's path, or a description of the message object.</summary>
        public string Source { get; }

        /// <summary>The file that was checked; null for a message object.</summary>
        public string? Path { get; }

        public override string ToString() => Line.HasValue
            ? $"{Source}:{Line}: {Severity} {Rule}: {Message}"
            : $"{Source}: {Severity} {Rule}: {Message}";
    }
}
