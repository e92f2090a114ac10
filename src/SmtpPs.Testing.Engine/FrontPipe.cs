using System;
using System.IO.Pipelines;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer.IO;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// What SmtpServer sees as its connection: two in-memory pipes to the session's front, which owns the
    /// socket. The front writes the commands it lets through and reads the replies; TLS is the front's
    /// job, so an upgrade here only waits for the front's handshake.
    /// </summary>
    internal sealed class FrontPipe : ISecurableDuplexPipe
    {
        // Inline scheduling: a command written by the front is handled on the same thread, and so is its
        // reply, with no thread-pool hop per command.
        private static readonly PipeOptions Options = new PipeOptions(
            readerScheduler: PipeScheduler.Inline, writerScheduler: PipeScheduler.Inline, useSynchronizationContext: false);

        private readonly Pipe _toEngine = new Pipe(Options);
        private readonly Pipe _fromEngine = new Pipe(Options);
        private readonly SessionFront _front;
        private int _disposed;

        internal FrontPipe(SessionFront front)
        {
            _front = front;
        }

        public PipeReader Input => _toEngine.Reader;

        public PipeWriter Output => _fromEngine.Writer;

        public bool IsSecure => _front.IsSecure;

        public SslProtocols SslProtocol => _front.SslProtocol;

        /// <summary>The front's end: where it writes commands.</summary>
        internal PipeWriter Commands => _toEngine.Writer;

        /// <summary>The front's end: where it reads replies.</summary>
        internal PipeReader Replies => _fromEngine.Reader;

        public Task UpgradeAsync(X509Certificate certificate, SslProtocols protocols, CancellationToken cancellationToken = default) => _front.TlsEstablished;

        /// <summary>SmtpServer ends its session: the front sees the replies end and closes the connection.</summary>
        public void Dispose()
        {
            if (Interlocked.Exchange(ref _disposed, 1) == 0)
            {
                _fromEngine.Writer.Complete();
            }
        }
    }
}
