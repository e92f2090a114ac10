using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>What became of one message (written with -PassThru).</summary>
    public enum SmtpDeliveryStatus
    {
        /// <summary>Refused, or never sent, or the connection failed before the end of the message was sent: safe to send again.</summary>
        NotDelivered,

        /// <summary>The server answered the end of the message with 250: it has taken responsibility for it.</summary>
        Delivered,

        /// <summary>The end of the message was sent but no reply came (RFC 5321 4.5.3.2.6): it may have been delivered.</summary>
        Unknown,

        /// <summary>-QuitAfter stopped the dialogue before the content on purpose: nothing was delivered.</summary>
        Checked,
    }

    /// <summary>
    /// The outcome of one message: exactly one per message given, written after the last reply that
    /// concerns it. Every property can be set, so that a test can make the outcome it needs.
    /// </summary>
    public sealed class SmtpMessageResult
    {
        public SmtpMessageResult()
        {
        }

        public SmtpMessageResult(string path, string server, string from)
        {
            Path = path;
            Server = server;
            From = from;
        }

        /// <summary>The message file's full path, or what the message is when it was given in memory.</summary>
        public string Path { get; set; } = string.Empty;

        /// <summary>The server, as "host:port", that answered for the message (or was to); with MX routing, each server once, comma-separated.</summary>
        public string Server { get; set; } = string.Empty;

        /// <summary>The envelope sender; empty for the null reverse-path.</summary>
        public string From { get; set; } = string.Empty;

        public SmtpDeliveryStatus Status { get; set; } = SmtpDeliveryStatus.NotDelivered;

        /// <summary>Each recipient: its status, the server that took it (or refused it), the deciding reply.</summary>
        public List<SmtpRecipientResult> Recipients { get; set; } = new List<SmtpRecipientResult>();

        /// <summary>How many times the message was tried (1 without retries): its first attempt and every retry.</summary>
        public int Attempts { get; set; }

        /// <summary>Every transaction that tried the message, in order: server, recipients, outcome.</summary>
        public List<SmtpDeliveryAttempt> AttemptLog { get; set; } = new List<SmtpDeliveryAttempt>();

        /// <summary>The recipients the server accepted (RCPT 250 or 251) in the transaction that decided for them.</summary>
        public List<string> AcceptedRecipients { get; set; } = new List<string>();

        /// <summary>The recipients the server refused.</summary>
        public List<string> RejectedRecipients { get; set; } = new List<string>();

        /// <summary>The queue id from the final 250 ("queued as ..."), where the server gave one.</summary>
        public string QueueId { get; set; } = string.Empty;

        /// <summary>The reply to the end of the message, or the reply that ended the transaction early.</summary>
        public SmtpReply? FinalReply { get; set; }

        /// <summary>
        /// Octets of the message that went out, counted as SIZE= counts them (RFC 1870: line breaks as
        /// CRLF, without dot-stuffing and without the end-of-data marker). Equal to the message's size
        /// once all of it was sent.
        /// </summary>
        public long BytesSent { get; set; }

        /// <summary>Why the message was not delivered, or why its outcome is unknown, in words; empty when delivered.</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>What kept the message (or some of its recipients) from delivery, for the error records.</summary>
        internal List<Session.MessageProblem> Problems { get; } = new List<Session.MessageProblem>();

        public override string ToString() => $"{Path}: {Status}";
    }
}
