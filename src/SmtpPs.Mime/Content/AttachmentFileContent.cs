using System;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>
    /// The content of an attachment that stays in its file: the file is opened each time the message is
    /// written and closed when that write ends, however it ends. So a 1 GB attachment costs a copy
    /// buffer, not 1 GB of memory, and a thousand composed messages hold no open file.
    /// </summary>
    /// <remarks>
    /// MimeKit's own MimeContent keeps one open stream for the life of the part; this implements
    /// IMimeContent instead, whose members MimeKit calls when it writes a part.
    /// </remarks>
    internal sealed class AttachmentFileContent : IMimeContent
    {
        private const int BufferSize = 64 * 1024;

        public AttachmentFileContent(string path) => Path = path;

        /// <summary>The full path of the file.</summary>
        public string Path { get; }

        /// <summary>The file holds the attachment as it is, not transfer-encoded.</summary>
        public ContentEncoding Encoding => ContentEncoding.Default;

        public NewLineFormat? NewLineFormat => null;

        /// <summary>No stream is kept open: <see cref="Open"/> gives one to whoever needs it.</summary>
        public Stream? Stream => null;

        /// <summary>A new read stream on the file; the caller disposes it.</summary>
        public Stream Open() => new FileStream(Path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, BufferSize, FileOptions.SequentialScan);

        public void DecodeTo(Stream stream, CancellationToken cancellationToken = default) => WriteTo(stream, cancellationToken);

        public Task DecodeToAsync(Stream stream, CancellationToken cancellationToken = default) => WriteToAsync(stream, cancellationToken);

        public void WriteTo(Stream stream, CancellationToken cancellationToken = default)
        {
            using Stream file = Open();
            byte[] buffer = new byte[BufferSize];
            int read;
            while ((read = file.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellationToken.ThrowIfCancellationRequested();
                stream.Write(buffer, 0, read);
            }
        }

        public async Task WriteToAsync(Stream stream, CancellationToken cancellationToken = default)
        {
            using Stream file = Open();
            await file.CopyToAsync(stream, BufferSize, cancellationToken).ConfigureAwait(false);
        }

        /// <summary>Nothing to release: no stream outlives a write.</summary>
        public void Dispose()
        {
        }
    }
}
