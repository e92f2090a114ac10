using System.IO;
using System.Threading;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>A MimeKit MimeMessage of the MimeKit that SmtpPs loaded (composed by SmtpPs or not).</summary>
    internal sealed class MimeKitMessageSource : MimeSource
    {
        private readonly MimeMessage _message;

        public MimeKitMessageSource(MimeMessage message) => _message = message;

        public override string Name => MessageNames.For(_message.MessageId);

        public override EnvelopeDefaults Envelope => EnvelopeDefaults.For(_message);

        public override void WriteTo(Stream destination, CancellationToken cancellationToken) => Write(_message, destination, cancellationToken);

        public static void Write(MimeMessage message, Stream destination, CancellationToken cancellationToken)
        {
            FormatOptions options = WireFormat.For(message);
            if (message.Body != null)
            {
                message.WriteTo(options, destination, cancellationToken);
                return;
            }

            // Without a body MimeKit writes the header list as it is, hidden fields included
            // (MimeMessage.WriteTo): leave Bcc out here, then the empty line and no body.
            var headers = new HeaderList();
            foreach (Header header in message.Headers)
            {
                if (!options.HiddenHeaders.Contains(header.Id))
                {
                    headers.Add(header);
                }
            }

            headers.WriteTo(options, destination, cancellationToken);
            destination.Write(new byte[] { (byte)'\r', (byte)'\n' }, 0, 2);
        }
    }
}
