namespace SmtpPs
{
    /// <summary>An attachment of a captured message: its name, media type and decoded bytes.</summary>
    public sealed class SmtpTestAttachment
    {
        internal SmtpTestAttachment(string? fileName, string mediaType, byte[] content)
        {
            FileName = fileName;
            MediaType = mediaType;
            Content = content;
        }

        /// <summary>The file name from Content-Disposition or Content-Type, decoded (RFC 2231); null when none.</summary>
        public string? FileName { get; }

        /// <summary>type/subtype, such as application/pdf.</summary>
        public string MediaType { get; }

        /// <summary>The content with its transfer encoding (base64, quoted-printable) undone.</summary>
        public byte[] Content { get; }

        public long Size => Content.LongLength;

        public override string ToString() => $"{FileName} ({MediaType}, {Size} octets)";
    }
}
