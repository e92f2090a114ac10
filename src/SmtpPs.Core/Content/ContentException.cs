using System;

namespace SmtpPs.Content
{
    /// <summary>Why content cannot be sent as it is.</summary>
    internal enum ContentProblem
    {
        /// <summary>UTF-16 text (a byte order mark FF FE or FE FF): a message must be ASCII or UTF-8 octets.</summary>
        Utf16,

        /// <summary>A NUL octet, which SMTP cannot carry (RFC 5322 2.2).</summary>
        Nul,

        /// <summary>A line over 998 octets (RFC 5322 2.1.1, RFC 5321 4.5.3.1.6).</summary>
        LineTooLong,

        /// <summary>No octets at all: an empty message would put a bare "." on the wire.</summary>
        Empty,

        /// <summary>Not a regular file (a FIFO, a device, a terminal): it can be read only once, or never ends.</summary>
        NotRegularFile,

        /// <summary>A file that changed between its check and its sending; the rest of it was not sent.</summary>
        Changed,
    }

    /// <summary>Content that cannot be sent as it is, with the line where the problem is.</summary>
    internal sealed class ContentException : Exception
    {
        public ContentException(ContentProblem problem, long line, string reason)
            : base(line > 0 ? $"{reason} (line {line})." : reason + ".")
        {
            Problem = problem;
            Line = line;
        }

        public ContentProblem Problem { get; }

        /// <summary>The line of the problem, counting from 1; 0 when it concerns the whole content.</summary>
        public long Line { get; }
    }
}
