using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SmtpPs.TestServer
{
    /// <summary>What one client sent through the tap, byte for byte.</summary>
    public sealed class TappedConnection
    {
        private readonly MemoryStream _fromClient = new MemoryStream();
        private readonly MemoryStream _fromServer = new MemoryStream();
        private int _open = 2;

        public byte[] ClientBytes
        {
            get
            {
                lock (_fromClient)
                {
                    return _fromClient.ToArray();
                }
            }
        }

        public byte[] ServerBytes
        {
            get
            {
                lock (_fromClient)
                {
                    return _fromServer.ToArray();
                }
            }
        }

        /// <summary>The client's bytes as Latin-1 text (one char per byte): CR and LF stay visible.</summary>
        public string ClientText => Encoding.Latin1.GetString(ClientBytes);

        public bool IsClosed => Volatile.Read(ref _open) == 0;

        /// <summary>The command lines the client sent, without the message content.</summary>
        public string[] Commands => Wire.Commands(ClientBytes, ServerBytes, tapped: true);

        /// <summary>Exactly what the client sent after each DATA command, up to and including CRLF.CRLF.</summary>
        public byte[][] DataSections => Wire.DataSections(ClientBytes, ServerBytes, tapped: true);

        internal void Append(byte[] buffer, int count, bool fromClient)
        {
            lock (_fromClient)
            {
                (fromClient ? _fromClient : _fromServer).Write(buffer, 0, count);
            }
        }

        internal void OneSideClosed() => Interlocked.Decrement(ref _open);
    }

    /// <summary>A loopback TCP relay in front of a real server that records what clients send.</summary>
    internal sealed class WireTap : IDisposable
    {
        /// <summary>
        /// Acknowledges at once (Linux TCP_QUICKACK). SmtpServer writes each pipelined reply separately
        /// and with Nagle on; against a delayed ACK that costs 40 ms a reply, which would make the tap,
        /// not the client, the slow part of a batch.
        /// </summary>
        private static void QuickAck(Socket socket)
        {
            if (OperatingSystem.IsLinux())
            {
                try
                {
                    socket.SetRawSocketOption(6 /* IPPROTO_TCP */, 12 /* TCP_QUICKACK */, BitConverter.GetBytes(1));
                }
                catch (SocketException)
                {
                }
            }
        }

        private readonly LoopbackListener _listener;
        private readonly IPEndPoint _target;
        private readonly List<TappedConnection> _connections = new List<TappedConnection>();

        public WireTap(IPEndPoint target)
        {
            _target = target;
            _listener = new LoopbackListener(IPAddress.Loopback, 0, client => _ = Relay(client));
            Port = _listener.Port;
        }

        public int Port { get; }

        public IReadOnlyList<TappedConnection> Connections
        {
            get
            {
                lock (_connections)
                {
                    return _connections.ToArray();
                }
            }
        }

        public bool WaitForIdle(int timeoutMs) => SpinWait.SpinUntil(() => Connections.All(c => c.IsClosed), timeoutMs);

        public void Dispose() => _listener.Dispose();

        private async Task Relay(Socket client)
        {
            var server = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
            var connection = new TappedConnection();
            _listener.Track(server);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            try
            {
                await server.ConnectAsync(_target);
            }
            catch (SocketException)
            {
                client.Dispose();
                return;
            }

            _ = Pump(client, server, connection, record: true);
            _ = Pump(server, client, connection, record: false);
        }

        private static async Task Pump(Socket from, Socket to, TappedConnection connection, bool record)
        {
            var buffer = new byte[16 * 1024];
            try
            {
                while (true)
                {
                    int read = await from.ReceiveAsync(buffer, SocketFlags.None);
                    if (read == 0)
                    {
                        break;
                    }

                    QuickAck(from);

                    connection.Append(buffer, read, fromClient: record);

                    await to.SendAsync(new ArraySegment<byte>(buffer, 0, read), SocketFlags.None);
                }
            }
            catch (Exception)
            {
            }
            finally
            {
                try
                {
                    to.Shutdown(SocketShutdown.Send);
                }
                catch (Exception)
                {
                }

                connection.OneSideClosed();
            }
        }
    }
}
