using System.IO;
using System.Management.Automation;
using System.Text;
using SmtpPs.Mime;

namespace SmtpPs.Commands
{
    /// <summary>
    /// A message given as an object: a MIME object (a ComposedMessage or a MimeKit MimeMessage, of any
    /// MimeKit), raw octets (a byte[], a string as UTF-8, or an object with a byte[] Raw property, such
    /// as a captured message), or a file (a FileInfo from Get-ChildItem).
    /// </summary>
    internal sealed class MessageInput
    {
        private MessageInput(MimeSource? mime, byte[]? raw, string? file, string name)
        {
            Mime = mime;
            Raw = raw;
            File = file;
            Name = name;
        }

        public MimeSource? Mime { get; }

        public byte[]? Raw { get; }

        public string? File { get; }

        /// <summary>How to name the message in output and errors.</summary>
        public string Name { get; }

        /// <summary>The message <paramref name="value"/> holds, or null when it holds none.</summary>
        public static MessageInput? From(object? value)
        {
            object? bare = value is PSObject ps ? ps.BaseObject : value;
            switch (bare)
            {
                case null:
                    return null;
                case byte[] bytes:
                    return new MessageInput(null, bytes, null, $"(byte[] of {bytes.Length} octets)");
                case string text:
                    return new MessageInput(null, new UTF8Encoding(false).GetBytes(text), null, "(string)");
                case FileInfo file:
                    return new MessageInput(null, null, file.FullName, file.FullName);
            }

            MimeSource? mime = MimeSources.TryGet(bare);
            if (mime != null)
            {
                return new MessageInput(mime, null, null, mime.Name);
            }

            PSPropertyInfo? rawProperty = PSObject.AsPSObject(value!).Properties["Raw"];
            object? raw = rawProperty?.Value is PSObject inner ? inner.BaseObject : rawProperty?.Value;
            if (raw is byte[] captured)
            {
                return new MessageInput(null, captured, null, $"({bare.GetType().Name} of {captured.Length} octets)");
            }

            return null;
        }
    }
}
