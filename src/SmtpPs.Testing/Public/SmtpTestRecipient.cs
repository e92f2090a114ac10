using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>One RCPT TO of a transaction on a test server: the address, its ESMTP parameters and the reply.</summary>
    public sealed class SmtpTestRecipient
    {
        internal SmtpTestRecipient(string address, IReadOnlyDictionary<string, string?> parameters, SmtpTestExchange reply)
        {
            Address = address;
            Parameters = parameters;
            Reply = reply;
        }

        /// <summary>The address inside the angle brackets, as sent (UTF-8 decoded).</summary>
        public string Address { get; }

        /// <summary>ESMTP parameters (NOTIFY, ORCPT, ...) by upper-case keyword; a keyword without value maps to null.</summary>
        public IReadOnlyDictionary<string, string?> Parameters { get; }

        public SmtpTestExchange Reply { get; }

        /// <summary>True when the server answered 250 or 251.</summary>
        public bool Accepted => Reply.Code == 250 || Reply.Code == 251;

        public override string ToString() => Address;
    }
}
