using System;
using System.Collections.Generic;
using System.Linq;
using SmtpPs.Content;
using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>Where one recipient of a message stands between attempts.</summary>
    internal sealed class RecipientState
    {
        public RecipientState(string address)
        {
            Address = address;
        }

        public string Address { get; }

        public SmtpDeliveryStatus Status { get; set; } = SmtpDeliveryStatus.NotDelivered;

        /// <summary>True once nothing more will be tried for it: delivered, refused for good, Unknown, Checked, or out of retries.</summary>
        public bool Final { get; set; }

        /// <summary>True when its last failure may pass if tried again (4xx, no connection, 421).</summary>
        public bool Transient { get; set; }

        /// <summary>The RCPT was accepted in the transaction that decided for it.</summary>
        public bool Accepted { get; set; }

        public string Server { get; set; } = string.Empty;

        public SmtpReply? Reply { get; set; }

        public string QueueId { get; set; } = string.Empty;

        public int Attempts { get; set; }

        /// <summary>An attempt ended Unknown (it may have been delivered): a later failure does not make it NotDelivered.</summary>
        public bool MayHaveBeenDelivered { get; set; }

        public string Reason { get; set; } = string.Empty;

        /// <summary>What kept it from delivery, reported once the message's outcome is final.</summary>
        public MessageProblem? Problem { get; set; }
    }

    /// <summary>A message on its way: its content and envelope, each recipient's state, its attempts so far.</summary>
    internal sealed class Flight
    {
        public Flight(MessageContent content, Envelope envelope, SmtpMessageResult result)
        {
            Content = content;
            Envelope = envelope;
            Result = result;
            foreach (string address in envelope.To)
            {
                Recipients.Add(new RecipientState(address));
            }
        }

        public MessageContent Content { get; }

        public Envelope Envelope { get; }

        public SmtpMessageResult Result { get; }

        public List<RecipientState> Recipients { get; } = new List<RecipientState>();

        /// <summary>1 while the first attempt runs, 2 for the first retry...</summary>
        public int Attempt { get; set; }

        /// <summary>Transactions begun and not yet settled (a final-dot reply owed with PIPELINING).</summary>
        public int Open { get; set; }

        /// <summary>True while an attempt is still starting its transactions: the flight cannot be concluded yet.</summary>
        public bool Attempting { get; set; }

        public bool Concluded { get; set; }

        /// <summary>No more retries: the retry deadline would pass before the next round.</summary>
        public bool OutOfTime { get; set; }

        /// <summary>The last outcome: its final reply, queue id and size go into the result.</summary>
        public TransactionOutcome? LastOutcome { get; set; }

        public TransactionOutcome? LastDelivered { get; set; }

        public RecipientState Recipient(string address) =>
            Recipients.First(r => string.Equals(r.Address, address, StringComparison.OrdinalIgnoreCase));

        public IEnumerable<RecipientState> Pending => Recipients.Where(r => !r.Final);

        public bool HasMessageId => Protocol.HeaderFields.Has(Content.Facts.Headers, "Message-ID");
    }
}
