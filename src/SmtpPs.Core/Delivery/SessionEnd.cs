using System;
using System.Collections.Generic;

namespace SmtpPs.Delivery
{
    /// <summary>Why a session ended early: a fault (<see cref="Fault"/>), or a reply that belongs to no message (<see cref="Reply"/>).</summary>
    internal sealed class SessionEnd
    {
        public SessionEnd(Exception fault, string server, IReadOnlyList<SmtpMessageResult> results)
        {
            Fault = fault;
            Server = server;
            Results = results;
            Explanation = fault.Message;
        }

        public SessionEnd(SmtpReply reply, string explanation, IReadOnlyList<SmtpMessageResult> results)
        {
            Reply = reply;
            Server = reply.Server;
            Results = results;
            Explanation = explanation;
        }

        public Exception? Fault { get; }

        public SmtpReply? Reply { get; }

        public string Server { get; }

        /// <summary>What the end means, in words.</summary>
        public string Explanation { get; }

        /// <summary>The outcomes of the batch so far: which messages were delivered and which were not.</summary>
        public IReadOnlyList<SmtpMessageResult> Results { get; }
    }
}
