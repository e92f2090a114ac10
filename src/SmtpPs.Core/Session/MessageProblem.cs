using SmtpPs.Content;

namespace SmtpPs.Session
{
    /// <summary>What kind of thing kept a message, or one of its recipients, from being delivered.</summary>
    internal enum MessageProblemKind
    {
        /// <summary>The server refused a command or the message with a reply (<see cref="MessageProblem.Reply"/>).</summary>
        Refused,

        /// <summary>The server refused one recipient (<see cref="MessageProblem.Recipient"/>); the others may have it.</summary>
        RecipientRefused,

        /// <summary>The message cannot go to this server as it is (<see cref="MessageProblem.NotSentReason"/>); nothing of it was sent.</summary>
        NotSent,

        /// <summary>The content cannot be sent as it is, or changed while it was sent (<see cref="MessageProblem.Content"/>).</summary>
        Content,

        /// <summary>The content could not be read (<see cref="MessageProblem.ReadFailure"/>).</summary>
        Unreadable,

        /// <summary>A fault ended the session while the message was in it, or kept it from opening (<see cref="MessageProblem.Fault"/>).</summary>
        Fault,

        /// <summary>
        /// The caller could not make a message of what it was given (a path that names no file, an envelope
        /// the headers cannot give); <see cref="MessageProblem.Code"/> names the problem for good.
        /// </summary>
        Unusable,
    }

    /// <summary>
    /// One reason a message was not (wholly) delivered, as data: the cmdlet turns each into an error
    /// record once the message's outcome is known. The explanation is plain words that name no parameter.
    /// </summary>
    internal sealed class MessageProblem
    {
        private MessageProblem(MessageProblemKind kind, string explanation)
        {
            Kind = kind;
            Explanation = explanation;
        }

        public MessageProblemKind Kind { get; }

        public string Explanation { get; }

        public SmtpReply? Reply { get; private set; }

        public string? Recipient { get; private set; }

        public SmtpNotSentReason? NotSentReason { get; private set; }

        public ContentException? Content { get; private set; }

        public System.Exception? ReadFailure { get; private set; }

        /// <summary>The fault of a <see cref="MessageProblemKind.Fault"/> problem.</summary>
        public SmtpException? Fault { get; private set; }

        /// <summary>A stable name for an <see cref="MessageProblemKind.Unusable"/> problem (say "MessageFileNotFound").</summary>
        public string? Code { get; private set; }

        public static MessageProblem Refused(SmtpReply reply, string explanation) =>
            new MessageProblem(MessageProblemKind.Refused, explanation) { Reply = reply };

        public static MessageProblem RecipientRefused(SmtpReply reply, string recipient, string explanation) =>
            new MessageProblem(MessageProblemKind.RecipientRefused, explanation) { Reply = reply, Recipient = recipient };

        public static MessageProblem NotSent(SmtpNotSentReason reason, string explanation) =>
            new MessageProblem(MessageProblemKind.NotSent, explanation) { NotSentReason = reason };

        public static MessageProblem BadContent(ContentException content) =>
            new MessageProblem(MessageProblemKind.Content, content.Message) { Content = content };

        public static MessageProblem Faulted(SmtpException fault) =>
            new MessageProblem(MessageProblemKind.Fault, fault.Message) { Fault = fault };

        public static MessageProblem Unusable(string code, string explanation) =>
            new MessageProblem(MessageProblemKind.Unusable, explanation) { Code = code };

        public static MessageProblem Unreadable(System.Exception failure) =>
            new MessageProblem(MessageProblemKind.Unreadable, $"It could not be read: {failure.Message}") { ReadFailure = failure };
    }
}
