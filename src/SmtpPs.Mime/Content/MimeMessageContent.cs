using System.IO;
using System.Threading;
using SmtpPs.Content;

namespace SmtpPs.Mime
{
    /// <summary>
    /// A MIME object as content to send: its wire form is written once to be checked (and kept when it
    /// fits one block, so that a small message is sent from memory), and written again to be sent when
    /// it is larger; then, because its attachments are read from their files again, it is checked once
    /// more as it goes, like a large file.
    /// </summary>
    internal sealed class MimeMessageContent : MessageContent
    {
        private readonly MimeSource _source;

        private MimeMessageContent(string name, ContentFacts facts, MimeSource source)
            : base(name, facts)
        {
            _source = source;
        }

        public override bool IsReadAgain => true;

        /// <summary>Writes <paramref name="source"/> once to check it; returns it as content.</summary>
        /// <exception cref="ContentException">The wire form cannot be sent (a line too long in a message made elsewhere).</exception>
        public static MessageContent Of(MimeSource source, CancellationToken cancellation)
        {
            var scanning = new ScanningStream(ContentScanner.BlockSize);
            source.WriteTo(scanning, cancellation);
            ContentFacts facts = scanning.Finish();
            byte[]? kept = scanning.Kept;
            return kept != null ? MemoryContent.FromScanned(source.Name, kept, facts) : new MimeMessageContent(source.Name, facts, source);
        }

        public override Stream Open() => _source.Open();
    }
}
