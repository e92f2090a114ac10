using SmtpPs.Session;

namespace SmtpPs.Delivery
{
    /// <summary>
    /// Where a delivery reports, on the caller's thread: every reply (from <see cref="IDialogueSink"/>),
    /// each message's final outcome exactly once and in the order the messages were given, and the end
    /// of a session that a fault cut short. The cmdlet turns these into pipeline objects and error records.
    /// </summary>
    internal interface IDeliveryObserver : IDialogueSink
    {
        /// <summary>A message's outcome is final; its problems (if any) are in the result.</summary>
        void OnOutcome(SmtpMessageResult result);

        /// <summary>A session ended otherwise than by QUIT and 221: once, after the outcomes it decided.</summary>
        void OnSessionEnded(SessionEnd end);
    }
}
