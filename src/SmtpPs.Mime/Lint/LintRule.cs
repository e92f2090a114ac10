namespace SmtpPs.Mime
{
    /// <summary>The rules Test-MimeMessage checks: a stable id, where the rule comes from, and its weight.</summary>
    internal sealed class LintRule
    {
        private LintRule(string id, string reference, MessageLintSeverity severity)
        {
            Id = id;
            Reference = reference;
            Severity = severity;
        }

        public string Id { get; }

        public string Reference { get; }

        public MessageLintSeverity Severity { get; }

        // RFC 5322 3.6: the origination date and the originator are the only required fields.
        public static readonly LintRule FromMissing = new LintRule("FromMissing", "RFC 5322 3.6", MessageLintSeverity.Error);
        public static readonly LintRule FromDuplicated = new LintRule("FromDuplicated", "RFC 5322 3.6", MessageLintSeverity.Error);
        public static readonly LintRule SenderRequired = new LintRule("SenderRequired", "RFC 5322 3.6.2", MessageLintSeverity.Error);
        public static readonly LintRule DateMissing = new LintRule("DateMissing", "RFC 5322 3.6", MessageLintSeverity.Error);
        public static readonly LintRule DateMalformed = new LintRule("DateMalformed", "RFC 5322 3.3", MessageLintSeverity.Error);

        // RFC 5322 3.6.4 says SHOULD; large receivers refuse messages without one, so it is flagged.
        public static readonly LintRule MessageIdMissing = new LintRule("MessageIdMissing", "RFC 5322 3.6.4; receiver policy", MessageLintSeverity.Warning);
        public static readonly LintRule MessageIdMalformed = new LintRule("MessageIdMalformed", "RFC 5322 3.6.4", MessageLintSeverity.Error);
        public static readonly LintRule AddressMalformed = new LintRule("AddressMalformed", "RFC 5322 3.4", MessageLintSeverity.Error);
        public static readonly LintRule HeaderDuplicated = new LintRule("HeaderDuplicated", "RFC 5322 3.6", MessageLintSeverity.Error);
        public static readonly LintRule HeaderLineMalformed = new LintRule("HeaderLineMalformed", "RFC 5322 2.2", MessageLintSeverity.Error);

        // RFC 5322 2.2: header fields are US-ASCII; RFC 6532 allows UTF-8 only where SMTPUTF8 carries the message.
        public static readonly LintRule HeaderEightBit = new LintRule("HeaderEightBit", "RFC 5322 2.2; RFC 6532 3", MessageLintSeverity.Error);
        public static readonly LintRule LineTooLong = new LintRule("LineTooLong", "RFC 5322 2.1.1", MessageLintSeverity.Error);

        // RFC 5322 3.6.3: Bcc addresses are hidden from the other recipients; a raw send shows them to all.
        public static readonly LintRule BccPresent = new LintRule("BccPresent", "RFC 5322 3.6.3", MessageLintSeverity.Warning);
    }
}
