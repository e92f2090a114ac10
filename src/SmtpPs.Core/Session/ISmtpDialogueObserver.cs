namespace SmtpPs.Session
{
    /// <summary>
    /// How the session tells its caller what happens, as it happens, without knowing who listens: the
    /// cmdlet turns these into pipeline objects, error records and verbose lines.
    /// </summary>
    internal interface ISmtpDialogueObserver
    {
        /// <summary>Every reply, positive or negative, as soon as it is whole.</summary>
        void OnReply(SmtpReply reply);

        /// <summary>A negative reply that means a failure (not, say, a 502 to EHLO that HELO recovers from).</summary>
        void OnRejected(SmtpReply reply, string explanation);

        /// <summary>Something the user should know that is not a failure (say, TLS was declined).</summary>
        void OnWarning(string message);

        /// <summary>A step of the story for -Verbose, secrets already removed.</summary>
        void OnVerbose(string message);

        /// <summary>
        /// False when nobody listens to <see cref="OnVerbose"/> (no -Verbose, no transcript): the session
        /// then does not even format the lines, which matters at thousands of messages a second.
        /// </summary>
        bool Narrates { get; }

        /// <summary>A message's outcome is final (possibly later than Send returned, with PIPELINING).</summary>
        void OnSettled(SmtpMessageResult result);

        /// <summary>How much of a message file has gone out: <paramref name="done"/> of <paramref name="total"/> octets read.</summary>
        void OnProgress(string path, long done, long total);
    }
}
