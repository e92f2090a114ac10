namespace SmtpPs
{
    /// <summary>One attachment or inline image of a composed message.</summary>
    public sealed class ComposedAttachment
    {
        internal ComposedAttachment(string name, string mediaType, string? contentId, bool inline, string? path)
        {
            Name = name;
            MediaType = mediaType;
            ContentId = contentId;
            Inline = inline;
            Path = path;
        }

        /// <summary>The file name the recipient sees.</summary>
        public string Name { get; }

        /// <summary>The media type, such as application/pdf.</summary>
        public string MediaType { get; }

        /// <summary>The Content-ID an HTML body refers to as cid:..., for inline images; otherwise null.</summary>
        public string? ContentId { get; }

        /// <summary>True for an inline image shown in the HTML body; false for an attachment.</summary>
        public bool Inline { get; }

        /// <summary>The file it is read from when the message is written; null when its content is in memory.</summary>
        public string? Path { get; }

        public override string ToString() => $"{Name} ({MediaType})";
    }
}
