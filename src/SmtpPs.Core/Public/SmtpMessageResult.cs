using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>What became of one message file (written with -PassThru).</summary>
    public enum SmtpDeliveryStatus
    {
        /// <summary>Refused, or the connection failed before the final dot was sent: safe to send again.</summary>
        NotDelivered,

        /// <summary>The server answered the final dot with 250: it has taken responsibility for the message.</summary>
        Delivered,

        /// <summary>The final dot was sent but no reply came (RFC 5321 4.5.3.2.6): it may have been delivered.</summary>
        Unknown,

        /// <summary>-QuitAfter stopped the dialogue before DATA on purpose: nothing was delivered.</summary>
        Checked,
    }

    /// <summary>The outcome of one message file: one per file, after that file's replies.</summary>
    public sealed class SmtpMessageResult
    {
        public SmtpMessageResult(string path, string server, string from)
        {
            Path = path;
            Server = server;
            From = from;
        }

        public string Path { get; }

        public string Server { get; }

        public string From { get; }

        public SmtpDeliveryStatus Status { get; internal set; } = SmtpDeliveryStatus.NotDelivered;

        public List<string> AcceptedRecipients { get; } = new List<string>();

        public List<string> RejectedRecipients { get; } = new List<string>();

        /// <summary>The queue id from the final 250 ("queued as ..."), where the server gave one.</summary>
        public string QueueId { get; internal set; } = string.Empty;

        /// <summary>The reply to the final dot, or the reply that ended the transaction early.</summary>
        public SmtpReply? FinalReply { get; internal set; }

        /// <summary>Octets of message content sent after DATA, dot-stuffing and the final dot included.</summary>
        public long BytesSent { get; internal set; }

        public override string ToString() => $"{Path}: {Status}";
    }
}
