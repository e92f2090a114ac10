using System;

namespace SmtpPs
{
    /// <summary>One transaction that tried to deliver a message: to which server, for which recipients, and what it got.</summary>
    public sealed class SmtpDeliveryAttempt
    {
        public SmtpDeliveryAttempt()
        {
        }

        /// <summary>1 for the first try of the message, 2 for the first retry, and so on.</summary>
        public int Attempt { get; set; }

        /// <summary>When the transaction began, in UTC.</summary>
        public DateTime Started { get; set; }

        public string Server { get; set; } = string.Empty;

        /// <summary>The recipients this transaction was for.</summary>
        public string[] Recipients { get; set; } = Array.Empty<string>();

        /// <summary>The recipients the server accepted in it.</summary>
        public string[] Accepted { get; set; } = Array.Empty<string>();

        public SmtpDeliveryStatus Status { get; set; } = SmtpDeliveryStatus.NotDelivered;

        public SmtpReply? FinalReply { get; set; }

        public string QueueId { get; set; } = string.Empty;

        /// <summary>Why it did not deliver, in words; empty when it did.</summary>
        public string Reason { get; set; } = string.Empty;

        public override string ToString() => $"#{Attempt} {Server}: {Status}";
    }
}
