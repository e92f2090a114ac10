using System;
using System.Collections.Generic;
using SmtpPs.Content;

namespace SmtpPs.Session
{
    /// <summary>What one recipient's RCPT got in one transaction.</summary>
    internal sealed class RecipientOutcome
    {
        public RecipientOutcome(string address, bool accepted, SmtpReply reply)
        {
            Address = address;
            Accepted = accepted;
            Reply = reply;
        }

        public string Address { get; }

        /// <summary>RCPT answered 250 or 251.</summary>
        public bool Accepted { get; }

        public SmtpReply Reply { get; }

        /// <summary>452 (RFC 5321 4.5.3.1.10): too many recipients in this transaction; another one may take it.</summary>
        public bool TooMany => !Accepted && Reply.Code == 452;
    }

    /// <summary>
    /// What became of one transaction on one server: one attempt at delivering a message to some of its
    /// recipients. The session fills it as the replies come; the delivery decides from it what becomes of
    /// the message (delivered, failed for good, or worth another attempt).
    /// </summary>
    internal sealed class TransactionOutcome
    {
        public TransactionOutcome(MessageContent content, Envelope envelope, string server, object? owner = null)
        {
            Content = content;
            Envelope = envelope;
            Server = server;
            Owner = owner;
        }

        public MessageContent Content { get; }

        public Envelope Envelope { get; }

        /// <summary>When the transaction began (its outcome may be read later, with PIPELINING).</summary>
        public DateTime Started { get; } = DateTime.UtcNow;

        /// <summary>"host:port" of the server that answered.</summary>
        public string Server { get; }

        /// <summary>Whatever the delivery needs to find the message this belongs to.</summary>
        public object? Owner { get; }

        public SmtpDeliveryStatus Status { get; set; } = SmtpDeliveryStatus.NotDelivered;

        /// <summary>The recipients in the order their RCPT replies came.</summary>
        public List<RecipientOutcome> Recipients { get; } = new List<RecipientOutcome>();

        public IEnumerable<string> Accepted
        {
            get
            {
                foreach (RecipientOutcome recipient in Recipients)
                {
                    if (recipient.Accepted)
                    {
                        yield return recipient.Address;
                    }
                }
            }
        }

        /// <summary>The reply to the end of the content, or the reply that ended the transaction early.</summary>
        public SmtpReply? FinalReply { get; set; }

        public string QueueId { get; set; } = string.Empty;

        /// <summary>Octets of the message sent, as SIZE= counts them.</summary>
        public long BytesSent { get; set; }

        /// <summary>Why it was not delivered (or its outcome is unknown), in words.</summary>
        public string Reason { get; set; } = string.Empty;

        /// <summary>What kept it from delivery, for the error records.</summary>
        public List<MessageProblem> Problems { get; } = new List<MessageProblem>();

        /// <summary>True once the delivery took this outcome into account (it is settled only once).</summary>
        public bool IsSettled { get; set; }

        /// <summary>The session was cut by a fault while this transaction was open (or its end was owed).</summary>
        public SmtpException? Fault { get; set; }
    }
}
