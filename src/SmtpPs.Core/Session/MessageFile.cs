using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>A message file that passed the pre-flight checks, with what they found.</summary>
    internal sealed class MessageFile
    {
        public MessageFile(string path, MessageContentFacts facts)
        {
            Path = path;
            Facts = facts;
        }

        public string Path { get; }

        public MessageContentFacts Facts { get; }
    }
}
