using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using SmtpServer;
using SmtpServer.IO;
using SmtpServer.Net;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// SmtpServer's endpoint listener, replaced: it accepts on the socket the engine bound before starting
    /// SmtpServer (so the port is known at once), turns Nagle off, and puts a <see cref="SessionFront"/>
    /// between the client and SmtpServer.
    /// </summary>
    internal sealed class FrontListener : IEndpointListenerFactory, IEndpointListener
    {
        private readonly TcpListener _listener;
        private readonly SmtpTestServer _server;
        private readonly CancellationToken _stopping;
        private readonly HashSet<SessionFront> _fronts = new HashSet<SessionFront>();

        internal FrontListener(TcpListener listener, SmtpTestServer server, CancellationToken stopping)
        {
            _listener = listener;
            _server = server;
            _stopping = stopping;
        }

        public IEndpointListener CreateListener(IEndpointDefinition endpointDefinition) => this;

        public async Task<ISecurableDuplexPipe> GetPipeAsync(ISessionContext context, CancellationToken cancellationToken)
        {
            Socket socket;
            using (cancellationToken.Register(() => _listener.Stop()))
            {
                try
                {
                    socket = await _listener.AcceptSocketAsync().ConfigureAwait(false);
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    throw new OperationCanceledException(cancellationToken);
                }
            }

            // SmtpServer writes each reply with its own flush; the front batches them, and NoDelay sends
            // each batch at once instead of waiting for the client's delayed ACK (up to 40 ms a batch).
            socket.NoDelay = true;
            var front = new SessionFront(socket, context, _server, _stopping, Forget);
            lock (_fronts)
            {
                _fronts.Add(front);
            }

            front.Start();
            return front.Pipe;
        }

        /// <summary>Closes every open connection (the server is stopping).</summary>
        public void CloseAll()
        {
            SessionFront[] open;
            lock (_fronts)
            {
                open = new SessionFront[_fronts.Count];
                _fronts.CopyTo(open);
            }

            foreach (SessionFront front in open)
            {
                front.Abort();
            }
        }

        public void Dispose()
        {
            _listener.Stop();
        }

        private void Forget(SessionFront front)
        {
            lock (_fronts)
            {
                _fronts.Remove(front);
            }
        }
    }
}
