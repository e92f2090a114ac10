using SmtpPs.Protocol;

namespace SmtpPs.Content
{
    /// <summary>What one scan of a message's octets found: everything the dialogue must know before MAIL.</summary>
    internal sealed class ContentFacts
    {
        public ContentFacts(long length, bool hasEightBit, string headers, bool headersTruncated, long wireSize, bool headersEightBit)
        {
            Length = length;
            HasEightBit = hasEightBit;
            Headers = headers;
            HeadersTruncated = headersTruncated;
            WireSize = wireSize;
            HeadersEightBit = headersEightBit;
        }

        /// <summary>Octets of content as given, without a file's byte order mark.</summary>
        public long Length { get; }

        /// <summary>
        /// The message's size as RFC 1870 counts it for SIZE=: every line break as CRLF and a final CRLF,
        /// without the dot-stuffing and the final dot. This is also what a result's BytesSent counts.
        /// </summary>
        public long WireSize { get; }

        /// <summary>True when an octet above 127 occurs: the server must offer 8BITMIME (RFC 6152).</summary>
        public bool HasEightBit { get; }

        /// <summary>True when the header block has octets above 127: UTF-8 headers need SMTPUTF8 (RFC 6532).</summary>
        public bool HeadersEightBit { get; }

        /// <summary>
        /// The header block, up to the first empty line, with line breaks as LF; at most
        /// <see cref="ContentScanner.MaxHeaderBytes"/> octets (see <see cref="HeadersTruncated"/>).
        /// </summary>
        public string Headers { get; }

        /// <summary>True when the header block is longer than <see cref="ContentScanner.MaxHeaderBytes"/>: <see cref="Headers"/> is cut.</summary>
        public bool HeadersTruncated { get; }

        /// <summary>True when the header block has a Bcc: or Resent-Bcc: field, which a raw send delivers to every recipient.</summary>
        public bool HasBcc => HeaderFields.Has(Headers, "Bcc") || HeaderFields.Has(Headers, "Resent-Bcc");
    }
}
