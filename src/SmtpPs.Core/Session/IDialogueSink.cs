namespace SmtpPs.Session
{
    /// <summary>
    /// Where a session hands what happens as it happens, without knowing who listens: every reply once,
    /// and how far a message's content has gone. The protocol log is separate (<see cref="Logging.ProtocolLog"/>).
    /// </summary>
    internal interface IDialogueSink
    {
        /// <summary>Every reply, positive or negative, as soon as it is whole.</summary>
        void OnReply(SmtpReply reply);

        /// <summary><paramref name="done"/> of <paramref name="total"/> octets of a message's content have gone out (counted as SIZE= counts them).</summary>
        void OnProgress(string name, long done, long total);
    }
}
