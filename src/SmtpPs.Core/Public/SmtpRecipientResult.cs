namespace SmtpPs
{
    /// <summary>What became of one recipient of a message: which server took it (or refused it), and how.</summary>
    public sealed class SmtpRecipientResult
    {
        public SmtpRecipientResult()
        {
        }

        public SmtpRecipientResult(string address, SmtpDeliveryStatus status)
        {
            Address = address;
            Status = status;
        }

        public string Address { get; set; } = string.Empty;

        /// <summary>Delivered (the server took responsibility), NotDelivered, Unknown, or Checked (-QuitAfter).</summary>
        public SmtpDeliveryStatus Status { get; set; } = SmtpDeliveryStatus.NotDelivered;

        /// <summary>The server, as "host:port", that took the recipient or refused it last.</summary>
        public string Server { get; set; } = string.Empty;

        /// <summary>The reply that decided: a refusal of the recipient, or the reply to the end of the message.</summary>
        public SmtpReply? Reply { get; set; }

        /// <summary>The queue id the server gave when it took the message for this recipient.</summary>
        public string QueueId { get; set; } = string.Empty;

        /// <summary>How many transactions tried this recipient.</summary>
        public int Attempts { get; set; }

        public override string ToString() => $"{Address}: {Status}";
    }
}
