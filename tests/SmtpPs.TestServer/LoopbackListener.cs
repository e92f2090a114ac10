using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// What every test server here shares: a listener on a loopback address, an accept loop that hands
    /// each connection on, and disposal that closes the listener and every socket it tracked.
    /// </summary>
    internal sealed class LoopbackListener : IDisposable
    {
        private readonly TcpListener _listener;
        private readonly Action<Socket> _accepted;
        private readonly List<Socket> _sockets = new List<Socket>();

        public LoopbackListener(IPAddress address, int port, Action<Socket> accepted)
        {
            if (!IPAddress.IsLoopback(address))
            {
                throw new ArgumentException("Tests only listen on loopback addresses.");
            }

            _listener = new TcpListener(address, port);
            _accepted = accepted;
            _listener.Start();
            Port = ((IPEndPoint)_listener.LocalEndpoint).Port;
            _ = Task.Run(AcceptLoop);
        }

        public int Port { get; }

        /// <summary>Closes <paramref name="socket"/> with the listener.</summary>
        public void Track(Socket socket)
        {
            lock (_sockets)
            {
                _sockets.Add(socket);
            }
        }

        public void Dispose()
        {
            _listener.Stop();
            lock (_sockets)
            {
                foreach (Socket socket in _sockets)
                {
                    socket.Dispose();
                }
            }
        }

        private async Task AcceptLoop()
        {
            while (true)
            {
                Socket client;
                try
                {
                    client = await _listener.AcceptSocketAsync();
                }
                catch (Exception)
                {
                    return; // the listener was stopped
                }

                client.NoDelay = true;
                Track(client);
                _accepted(client);
            }
        }
    }
}
