using System.IO;

namespace SmtpPs.Content
{
    /// <summary>
    /// A message to send, wherever it comes from (a file, octets or text in memory, a composed MIME
    /// message): a name to call it by, the facts of one scan, and a way to open its octets. Every source
    /// shares one send path.
    /// </summary>
    internal abstract class MessageContent
    {
        protected MessageContent(string name, ContentFacts facts)
        {
            Name = name;
            Facts = facts;
        }

        /// <summary>What results, errors and -WhatIf call the message: a file's full path, or what the content is.</summary>
        public string Name { get; }

        public ContentFacts Facts { get; }

        /// <summary>
        /// True when <see cref="Open"/> reads the octets again from where they may have changed since the
        /// scan (a file on disk): the sender then checks them once more as they go out, and stops before
        /// the end of the message when they are not what was checked.
        /// </summary>
        public abstract bool IsReadAgain { get; }

        /// <summary>The octets to send, from the first (a file's byte order mark already skipped); a new stream each time.</summary>
        public abstract Stream Open();
    }
}
