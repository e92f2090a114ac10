namespace SmtpPs
{
    /// <summary>What a scripted fault does at its stage.</summary>
    public enum SmtpTestFaultAction
    {
        /// <summary>Gives the fault's reply (code and text) instead of the normal one.</summary>
        Reply,

        /// <summary>Replies 421 and closes the connection (RFC 5321 3.8).</summary>
        Disconnect,

        /// <summary>Closes the connection without replying: after the final dot, the client cannot know whether the message was delivered.</summary>
        Drop,

        /// <summary>Refuses a sender/recipient pair with 450 the first time it is seen and accepts it when it comes again.</summary>
        Greylist,

        /// <summary>Only waits (Delay) before the normal reply.</summary>
        Delay,
    }
}
