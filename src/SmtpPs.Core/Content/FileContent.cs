using System;
using System.IO;
using System.Threading;

namespace SmtpPs.Content
{
    /// <summary>
    /// A message file. It is read once to be checked; a file of up to one read block is kept and sent
    /// from memory (read once in all), a larger one is read again to be sent and checked again as it
    /// goes, so that what reaches the server is always what was checked.
    /// </summary>
    internal sealed class FileContent : MessageContent
    {
        private readonly string _path;
        private readonly int _bom;

        private FileContent(string path, ContentFacts facts, int bom)
            : base(path, facts)
        {
            _path = path;
            _bom = bom;
        }

        public override bool IsReadAgain => true;

        /// <summary>
        /// Checks the file at <paramref name="path"/> (a full file-system path) and returns it as content:
        /// in memory when it fits <paramref name="buffer"/>, else as a file to read again.
        /// </summary>
        /// <exception cref="ContentException">The file cannot be sent as it is.</exception>
        /// <exception cref="IOException">The file cannot be read.</exception>
        public static MessageContent Read(string path, byte[] buffer, CancellationToken cancellation)
        {
            // A FIFO, a device, a terminal or a pipe can be read only once or never ends, and opening one
            // for reading may wait for a writer forever: none is opened. Most report no size; /dev/stdin
            // and its kind are links into /dev or /proc.
            var info = new FileInfo(path);
            if (IsSpecial(info))
            {
                throw new ContentException(ContentProblem.NotRegularFile, 0,
                    "It is not a regular file (a device, a FIFO, a pipe or standard input): it cannot be read once to be checked and again to be sent");
            }

            if (info.Length == 0)
            {
                throw new ContentException(ContentProblem.Empty, 0,
                    "It is empty, or not a regular file (a FIFO, a device or a terminal) that can be read");
            }

            // bufferSize 1: no FileStream buffer of its own; the scan reads in large blocks anyway.
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            int filled = Fill(stream, buffer, cancellation);
            int bom = ContentScanner.PreambleLength(buffer, filled);
            var scanner = new ContentScanner();
            scanner.Feed(buffer, bom, filled - bom);
            if (filled < buffer.Length)
            {
                ContentFacts small = Checked(scanner);
                var octets = new byte[filled];
                Buffer.BlockCopy(buffer, 0, octets, 0, filled);
                return MemoryContent.FromFile(path, octets, bom, small);
            }

            int read;
            while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                scanner.Feed(buffer, 0, read);
            }

            return new FileContent(path, Checked(scanner), bom);
        }

        /// <summary>True for what lives in /dev, /proc or /sys on Unix, or links there (or to a pipe or socket, "pipe:[123]").</summary>
        private static bool IsSpecial(FileInfo info)
        {
            if (Path.DirectorySeparatorChar != '/')
            {
                return false;
            }

            if (IsSpecialPath(info.FullName))
            {
                return true;
            }

            if ((info.Attributes & FileAttributes.ReparsePoint) == 0)
            {
                return false;
            }

            // FileSystemInfo.ResolveLinkTarget exists from .NET 6 on (PowerShell 7); this assembly also runs
            // on .NET Framework (Windows PowerShell 5.1), where there are no such links to follow.
            System.Reflection.MethodInfo? resolve = typeof(FileSystemInfo).GetMethod("ResolveLinkTarget", new[] { typeof(bool) });
            if (resolve == null)
            {
                return false;
            }

            try
            {
                return resolve.Invoke(info, new object[] { true }) is FileSystemInfo target && IsSpecialPath(target.FullName);
            }
            catch (System.Reflection.TargetInvocationException)
            {
                return true; // a link that cannot be followed is nothing to send
            }
        }

        private static bool IsSpecialPath(string path) =>
            path.StartsWith("/dev/", StringComparison.Ordinal) || path.StartsWith("/proc/", StringComparison.Ordinal) ||
            path.StartsWith("/sys/", StringComparison.Ordinal) || path.IndexOf(":[", StringComparison.Ordinal) >= 0;

        public override Stream Open()
        {
            var stream = new FileStream(_path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite, 1, FileOptions.SequentialScan);
            stream.Position = _bom;
            return stream;
        }

        private static ContentFacts Checked(ContentScanner scanner)
        {
            ContentFacts facts = scanner.Finish();
            if (facts.Length == 0)
            {
                throw new ContentException(ContentProblem.Empty, 0, "It is empty");
            }

            return facts;
        }

        /// <summary>Reads until <paramref name="buffer"/> is full or the file ends.</summary>
        private static int Fill(Stream stream, byte[] buffer, CancellationToken cancellation)
        {
            int total = 0;
            int read;
            while (total < buffer.Length && (read = stream.Read(buffer, total, buffer.Length - total)) > 0)
            {
                cancellation.ThrowIfCancellationRequested();
                total += read;
            }

            return total;
        }
    }
}
