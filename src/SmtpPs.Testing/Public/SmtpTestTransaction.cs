using System;
using System.Collections.Generic;
using System.Linq;

namespace SmtpPs
{
    /// <summary>
    /// One mail transaction on a test server, whatever became of it: the envelope, every command and the
    /// reply given, and the message when its content arrived. Refused and broken ones are kept too, so a
    /// test can assert that a script tried and was told 550.
    /// </summary>
    public sealed class SmtpTestTransaction
    {
        private readonly List<SmtpTestRecipient> _recipients = new List<SmtpTestRecipient>();
        private readonly List<SmtpTestExchange> _exchanges = new List<SmtpTestExchange>();

        internal SmtpTestTransaction(int connectionId, string mailFrom, IReadOnlyDictionary<string, string?> mailParameters)
        {
            ConnectionId = connectionId;
            MailFrom = mailFrom;
            MailParameters = mailParameters;
            Started = DateTime.Now;
        }

        /// <summary>Numbers the transactions of one server from 1, in the order they ended.</summary>
        public int Number { get; internal set; }

        public int ConnectionId { get; }

        public DateTime Started { get; }

        /// <summary>The envelope sender (MAIL FROM), empty for the null reverse-path &lt;&gt;.</summary>
        public string MailFrom { get; }

        /// <summary>ESMTP parameters of MAIL (SIZE, BODY, SMTPUTF8, RET, ENVID, ...) by upper-case keyword.</summary>
        public IReadOnlyDictionary<string, string?> MailParameters { get; }

        /// <summary>Every RCPT TO, accepted or not, with its reply.</summary>
        public IReadOnlyList<SmtpTestRecipient> Recipients
        {
            get
            {
                lock (_exchanges)
                {
                    return _recipients.ToArray();
                }
            }
        }

        /// <summary>The addresses the server accepted.</summary>
        public IReadOnlyList<string> RcptTo => Recipients.Where(r => r.Accepted).Select(r => r.Address).ToArray();

        /// <summary>The addresses the server refused.</summary>
        public IReadOnlyList<string> RefusedRecipients => Recipients.Where(r => !r.Accepted).Select(r => r.Address).ToArray();

        /// <summary>MAIL, each RCPT, DATA or BDAT and the end of data, each with the reply the server gave.</summary>
        public IReadOnlyList<SmtpTestExchange> Replies
        {
            get
            {
                lock (_exchanges)
                {
                    return _exchanges.ToArray();
                }
            }
        }

        /// <summary>The last reply of the transaction: to the final dot, or the refusal that ended it.</summary>
        public SmtpTestExchange? FinalReply
        {
            get
            {
                lock (_exchanges)
                {
                    return _exchanges.Count == 0 ? null : _exchanges[_exchanges.Count - 1];
                }
            }
        }

        public SmtpTestOutcome Outcome { get; internal set; } = SmtpTestOutcome.Open;

        /// <summary>Octets of content received (after dot-unstuffing or BDAT reassembly).</summary>
        public long Size { get; internal set; }

        /// <summary>The message, when its whole content arrived (also when the end of data was refused).</summary>
        public SmtpTestMessage? Message { get; internal set; }

        internal void Add(SmtpTestExchange exchange)
        {
            lock (_exchanges)
            {
                _exchanges.Add(exchange);
            }
        }

        internal void AddRecipient(SmtpTestRecipient recipient)
        {
            lock (_exchanges)
            {
                _recipients.Add(recipient);
                _exchanges.Add(recipient.Reply);
            }
        }

        public override string ToString() => $"{Outcome}: <{MailFrom}> to {string.Join(", ", Recipients.Select(r => r.Address))}";
    }
}
