using System;
using System.IO;
using System.Text;
using System.Threading;

namespace SmtpPs.Content
{
    /// <summary>A message given as octets or text in memory; checked by the same scan as a file.</summary>
    internal sealed class MemoryContent : MessageContent
    {
        private readonly byte[] _octets;
        private readonly int _offset;

        private MemoryContent(string name, ContentFacts facts, byte[] octets, int offset)
            : base(name, facts)
        {
            _octets = octets;
            _offset = offset;
        }

        public override bool IsReadAgain => false;

        /// <summary>Octets as they are; a UTF-8 byte order mark is dropped and UTF-16 refused, as for a file.</summary>
        public static MemoryContent FromOctets(string name, byte[] octets)
        {
            int bom = ContentScanner.PreambleLength(octets, octets.Length);
            var scanner = new ContentScanner();
            scanner.Feed(octets, bom, octets.Length - bom);
            ContentFacts facts = scanner.Finish();
            if (facts.Length == 0)
            {
                throw new ContentException(ContentProblem.Empty, 0, "It is empty");
            }

            return new MemoryContent(name, facts, octets, bom);
        }

        /// <summary>Text, sent as UTF-8 (without a byte order mark).</summary>
        public static MemoryContent FromText(string name, string text) => FromOctets(name, new UTF8Encoding(false).GetBytes(text));

        /// <summary>A file small enough to keep: read once, scanned, sent from memory.</summary>
        internal static MemoryContent FromFile(string path, byte[] octets, int bom, ContentFacts facts) =>
            new MemoryContent(path, facts, octets, bom);

        /// <summary>Octets already scanned as they were written (a small MIME message): sent as they are.</summary>
        internal static MemoryContent FromScanned(string name, byte[] octets, ContentFacts facts) =>
            new MemoryContent(name, facts, octets, 0);

        public override Stream Open() => new MemoryStream(_octets, _offset, _octets.Length - _offset, writable: false);
    }
}
