using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net;
using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Threading;
using System.Threading.Tasks;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// A loopback server that plays a script of exact bytes, for what real servers will not do:
    /// fragmented and malformed replies, mixed codes, drops, trickles, STARTTLS injection. Each accepted
    /// connection runs the whole script; every byte the client sent is recorded (in plaintext, also
    /// under TLS). Steps, one per string:
    /// <list type="bullet">
    /// <item><c>reply 250-a|250 b</c>: the lines, each with CRLF, in one write</item>
    /// <item><c>raw text</c>: exact bytes, with escapes \r \n \t \0 \\ \xHH</item>
    /// <item><c>bytewise text</c>: the same bytes, one write per byte</item>
    /// <item><c>trickle ms text</c>: one byte every ms milliseconds</item>
    /// <item><c>read</c>: read one command line; <c>data</c>: read up to CRLF.CRLF; <c>bdat</c>: a BDAT line and its octets</item>
    /// <item><c>sleep ms</c>; <c>close</c>: close the connection at once; <c>reset</c>: close it with a TCP RST</item>
    /// <item><c>starttls</c>: the server side of the TLS handshake with <see cref="Certificate"/></item>
    /// </list>
    /// With <see cref="ImplicitTls"/> the handshake comes before the first step.
    /// </summary>
    public sealed class ScriptedSmtpServer : IDisposable
    {
        private readonly LoopbackListener _listener;
        private readonly string[] _script;
        private readonly MemoryStream _received = new MemoryStream();
        private readonly MemoryStream _sent = new MemoryStream();
        private readonly List<string> _log = new List<string>();
        private int _connections;
        private int _finishedConnections;

        private ScriptedSmtpServer(string[] script, X509Certificate2? certificate, bool implicitTls, int port = 0, IPAddress? address = null)
        {
            _script = script;
            Certificate = certificate;
            ImplicitTls = implicitTls;
            _listener = new LoopbackListener(address ?? IPAddress.Loopback, port, Accepted);
            Port = _listener.Port;
        }

        public int Port { get; }

        public X509Certificate2? Certificate { get; }

        public bool ImplicitTls { get; }

        public int ConnectionCount => Volatile.Read(ref _connections);

        public byte[] Received
        {
            get
            {
                lock (_received)
                {
                    return _received.ToArray();
                }
            }
        }

        public string ReceivedText => Encoding.Latin1.GetString(Received);

        /// <summary>Every byte the server sent, in plaintext.</summary>
        public byte[] Sent
        {
            get
            {
                lock (_received)
                {
                    return _sent.ToArray();
                }
            }
        }

        public string[] Commands => Wire.Commands(Received, Sent);

        public byte[][] DataSections => Wire.DataSections(Received, Sent);

        /// <summary>What happened to the script on each connection: "completed", or where it stopped.</summary>
        public string[] Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToArray();
                }
            }
        }

        public static ScriptedSmtpServer Start(string[] script) => new ScriptedSmtpServer(script, null, false);

        /// <summary>A plain server on another loopback address (127.0.0.2, say), on a free port.</summary>
        public static ScriptedSmtpServer StartOn(string[] script, string loopbackAddress) => StartOn(script, loopbackAddress, 0);

        /// <summary>
        /// A plain server on another loopback address and a given port: an MX host, which listens on the
        /// same port as the other MX hosts of its domain, each on its own address.
        /// </summary>
        public static ScriptedSmtpServer StartOn(string[] script, string loopbackAddress, int port) =>
            new ScriptedSmtpServer(script, null, false, port, IPAddress.Parse(loopbackAddress));

        /// <summary>A server that can do TLS: at a <c>starttls</c> step, or from the first byte when <paramref name="implicitTls"/>.</summary>
        public static ScriptedSmtpServer StartWithTls(string[] script, X509Certificate2 certificate, bool implicitTls, int port = 0) =>
            new ScriptedSmtpServer(script, certificate, implicitTls, port);

        /// <summary>Waits (bounded) until every connection made so far has finished its script and closed.</summary>
        public bool WaitForClose(int timeoutMs = 5000) =>
            SpinWait.SpinUntil(() => ConnectionCount > 0 && Volatile.Read(ref _finishedConnections) == ConnectionCount, timeoutMs);

        public void Dispose() => _listener.Dispose();

        private void Accepted(Socket client)
        {
            Interlocked.Increment(ref _connections);

            // A thread of its own, not the pool's: scripts block in reads and sleeps for seconds, and
            // a starved pool would delay the client's own socket completions in this process.
            new Thread(() => Play(client)) { IsBackground = true, Name = "scripted SMTP connection" }.Start();
        }

        private void Play(Socket client)
        {
            var pending = new List<byte>();
            string outcome = "completed";
            Stream stream = new NetworkStream(client, ownsSocket: false);
            try
            {
                client.ReceiveTimeout = 15000;
                if (ImplicitTls)
                {
                    stream = Handshake(stream);
                }

                foreach (string step in _script)
                {
                    if (step == "starttls")
                    {
                        stream = Handshake(stream);
                        continue;
                    }

                    if (step == "reset")
                    {
                        // Close with a TCP RST instead of FIN: the client's next read or write fails hard.
                        client.LingerState = new LingerOption(true, 0);
                        outcome = "reset by script";
                        return;
                    }

                    if (!Run(step, stream, pending))
                    {
                        outcome = "closed by script at '" + step + "'";
                        return;
                    }
                }

                // Drain whatever else the client says (QUIT after an error, say) until it hangs up.
                DrainUntilClosed(stream);
            }
            catch (Exception e) when (e is SocketException || e is ObjectDisposedException || e is IOException ||
                                      e is AuthenticationException || e is InvalidOperationException)
            {
                outcome = "connection ended: " + e.Message;
            }
            catch (ClientClosedException e)
            {
                outcome = e.Message;
            }
            finally
            {
                lock (_log)
                {
                    _log.Add(outcome);
                }

                stream.Dispose();
                client.Dispose();
                Interlocked.Increment(ref _finishedConnections);
            }
        }

        private Stream Handshake(Stream stream)
        {
            X509Certificate2 certificate = Certificate ?? throw new InvalidOperationException("The script does TLS but the server has no certificate.");
            var ssl = new SslStream(stream, leaveInnerStreamOpen: false);
            ssl.AuthenticateAsServer(certificate);
            return ssl;
        }

        private bool Run(string step, Stream client, List<byte> pending)
        {
            int space = step.IndexOf(' ');
            string verb = space < 0 ? step : step.Substring(0, space);
            string argument = space < 0 ? string.Empty : step.Substring(space + 1);
            switch (verb)
            {
                case "reply":
                    Send(client, Encoding.UTF8.GetBytes(string.Join("\r\n", argument.Split('|')) + "\r\n"));
                    return true;
                case "raw":
                    Send(client, Unescape(argument));
                    return true;
                case "bytewise":
                    foreach (byte b in Unescape(argument))
                    {
                        Send(client, new[] { b });
                        Thread.Sleep(1);
                    }

                    return true;
                case "trickle":
                    int gap = int.Parse(argument.Substring(0, argument.IndexOf(' ')), CultureInfo.InvariantCulture);
                    foreach (byte b in Unescape(argument.Substring(argument.IndexOf(' ') + 1)))
                    {
                        Send(client, new[] { b });
                        Thread.Sleep(gap);
                    }

                    return true;
                case "read":
                    ReadUntil(client, pending, "\n"u8.ToArray());
                    return true;
                case "data":
                    ReadUntil(client, pending, "\r\n.\r\n"u8.ToArray());
                    return true;
                case "bdat":
                    ReadBdat(client, pending);
                    return true;
                case "sleep":
                    Thread.Sleep(int.Parse(argument, CultureInfo.InvariantCulture));
                    return true;
                case "close":
                    return false;
                default:
                    throw new ArgumentException($"Unknown script step '{step}'.");
            }
        }

        private void Send(Stream client, byte[] bytes)
        {
            lock (_received)
            {
                _sent.Write(bytes, 0, bytes.Length);
            }

            client.Write(bytes, 0, bytes.Length);
            client.Flush();
        }

        /// <summary>Reads (recording everything) until <paramref name="terminator"/> has arrived, and consumes through it.</summary>
        private byte[] ReadUntil(Stream client, List<byte> pending, byte[] terminator)
        {
            var buffer = new byte[8192];
            while (true)
            {
                int at = IndexOf(pending, terminator);
                if (at >= 0)
                {
                    byte[] consumed = pending.GetRange(0, at + terminator.Length).ToArray();
                    pending.RemoveRange(0, at + terminator.Length);
                    return consumed;
                }

                int read = client.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    throw new ClientClosedException("the client closed the connection while the script waited for it");
                }

                Record(buffer, read);
                for (int i = 0; i < read; i++)
                {
                    pending.Add(buffer[i]);
                }
            }
        }

        /// <summary>Reads "BDAT n [LAST]" and then exactly n octets of chunk.</summary>
        private void ReadBdat(Stream client, List<byte> pending)
        {
            byte[] line = ReadUntil(client, pending, "\n"u8.ToArray());
            int size = int.Parse(Encoding.ASCII.GetString(line).Trim().Split(' ')[1], CultureInfo.InvariantCulture);
            var buffer = new byte[8192];
            while (pending.Count < size)
            {
                int read = client.Read(buffer, 0, buffer.Length);
                if (read == 0)
                {
                    throw new ClientClosedException("the client closed the connection in the middle of a BDAT chunk");
                }

                Record(buffer, read);
                for (int i = 0; i < read; i++)
                {
                    pending.Add(buffer[i]);
                }
            }

            pending.RemoveRange(0, size);
        }

        private void DrainUntilClosed(Stream client)
        {
            var buffer = new byte[8192];
            client.ReadTimeout = 5000;
            int read;
            while ((read = client.Read(buffer, 0, buffer.Length)) > 0)
            {
                Record(buffer, read);
            }
        }

        private void Record(byte[] buffer, int count)
        {
            lock (_received)
            {
                _received.Write(buffer, 0, count);
            }
        }

        private static int IndexOf(List<byte> haystack, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= haystack.Count; i++)
            {
                int j = 0;
                while (j < needle.Length && haystack[i + j] == needle[j])
                {
                    j++;
                }

                if (j == needle.Length)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Turns \r \n \t \0 \\ and \xHH into bytes; everything else is UTF-8.</summary>
        public static byte[] Unescape(string text)
        {
            var bytes = new List<byte>();
            for (int i = 0; i < text.Length; i++)
            {
                if (text[i] != '\\' || i + 1 >= text.Length)
                {
                    bytes.AddRange(Encoding.UTF8.GetBytes(text[i].ToString()));
                    continue;
                }

                char e = text[++i];
                switch (e)
                {
                    case 'r': bytes.Add((byte)'\r'); break;
                    case 'n': bytes.Add((byte)'\n'); break;
                    case 't': bytes.Add((byte)'\t'); break;
                    case '0': bytes.Add(0); break;
                    case '\\': bytes.Add((byte)'\\'); break;
                    case 'x':
                        bytes.Add(byte.Parse(text.Substring(i + 1, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture));
                        i += 2;
                        break;
                    default: throw new ArgumentException($"Unknown escape '\\{e}' in script.");
                }
            }

            return bytes.ToArray();
        }

        private sealed class ClientClosedException : Exception
        {
            public ClientClosedException(string message)
                : base(message)
            {
            }
        }
    }
}
