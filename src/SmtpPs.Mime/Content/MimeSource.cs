using System.IO;
using System.Threading;

namespace SmtpPs.Mime
{
    /// <summary>
    /// A message held as a MIME object (what New-MimeMessage makes, or a MimeKit MimeMessage made by
    /// other code): its wire form, written on demand through a stream, and the envelope it implies.
    /// Save-MimeMessage, Test-MimeMessage and the sender all read a MIME object through this.
    /// </summary>
    internal abstract class MimeSource
    {
        /// <summary>How to name the message in output and errors: its Message-ID, or its type.</summary>
        public abstract string Name { get; }

        /// <summary>The sender and recipients the message's own fields imply.</summary>
        public abstract EnvelopeDefaults Envelope { get; }

        /// <summary>
        /// Writes the wire form: CRLF line ends, no Bcc, lines of at most 998 octets for what SmtpPs
        /// composed. Attachment files are read as they are written, through a fixed-size buffer.
        /// </summary>
        public abstract void WriteTo(Stream destination, CancellationToken cancellationToken);

        /// <summary>
        /// The wire form as a stream to read, a new one each time: <see cref="WriteTo"/> runs on a
        /// thread of its own through a bounded buffer (<see cref="WrittenStream"/>), so the message is
        /// never held whole. Dispose it to stop early; a write failure is thrown from Read.
        /// </summary>
        public Stream Open() => new WrittenStream(WriteTo);
    }
}
