using System;

namespace SmtpPs.Session
{
    /// <summary>Whether a reply is the one its command expects (RFC 5321 4.3.2 lists them).</summary>
    internal static class Expect
    {
        /// <summary>
        /// True for an expected code, false for a refusal. A positive code that does not answer this command
        /// (say 354 to MAIL) means the dialogue is out of step: a protocol error, never a success.
        /// </summary>
        public static bool Code(SmtpReply reply, params int[] expected)
        {
            if (Array.IndexOf(expected, reply.Code) >= 0)
            {
                return true;
            }

            if (reply.IsPositive)
            {
                throw new SmtpProtocolException(
                    $"The server answered '{reply.Command}' with {reply.Code}, where {string.Join(" or ", expected)} was expected.",
                    reply.Stage, reply);
            }

            return false;
        }
    }
}
