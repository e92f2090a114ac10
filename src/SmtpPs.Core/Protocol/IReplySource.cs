namespace SmtpPs.Protocol
{
    /// <summary>Where the reply reader gets its bytes: a read that honours a stage deadline.</summary>
    internal interface IReplySource
    {
        /// <summary>Reads at least one byte, or returns 0 at the end of the stream.</summary>
        int Read(byte[] buffer, int offset, int count, Deadline deadline);
    }
}
