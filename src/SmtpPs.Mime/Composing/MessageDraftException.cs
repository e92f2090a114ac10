using System;

namespace SmtpPs.Mime
{
    /// <summary>
    /// A draft that cannot become a correct message: the cmdlet turns it into a terminating parameter
    /// error with this ErrorId and the offending value as TargetObject. The message says how to fix it.
    /// </summary>
    internal sealed class MessageDraftException : Exception
    {
        public MessageDraftException(string errorId, string message, object? target)
            : base(message)
        {
            ErrorId = errorId;
            Target = target;
        }

        /// <summary>A stable ErrorId, such as InvalidAddress or AttachmentNotFound.</summary>
        public string ErrorId { get; }

        /// <summary>The value that was given.</summary>
        public object? Target { get; }
    }
}
