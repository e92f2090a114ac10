using System;

namespace SmtpPs
{
    /// <summary>When the servers should send a delivery status notification (RFC 3461 NOTIFY).</summary>
    [Flags]
    public enum SmtpDeliveryNotification
    {
        None = 0,

        /// <summary>Never, not even on failure; it cannot be combined with the others.</summary>
        Never = 1,

        Success = 2,

        Failure = 4,

        Delay = 8,
    }

    /// <summary>How much of the message a failure notification returns (RFC 3461 RET).</summary>
    public enum SmtpReturnContent
    {
        Full,

        Headers,
    }
}
