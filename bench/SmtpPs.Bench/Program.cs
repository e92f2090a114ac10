using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace SmtpPs.Bench
{
    /// <summary>
    /// bench/run.ps1's helpers, one per subcommand:
    ///   mailkit|netmail HOST PORT COUNT RECIPIENTS FILE  - send FILE COUNT times over one connection;
    ///                                                       prints one JSON line: seconds (send alone) and peak RSS
    ///   relay LISTENPORT TARGETPORT DELAYMS SECONDS       - a loopback TCP relay adding DELAYMS each way
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            string command = args[0];
            if (command == "relay")
            {
                Relay.Run(int.Parse(args[1], CultureInfo.InvariantCulture), int.Parse(args[2], CultureInfo.InvariantCulture),
                    int.Parse(args[3], CultureInfo.InvariantCulture), int.Parse(args[4], CultureInfo.InvariantCulture));
                return 0;
            }

            string host = args[1];
            int port = int.Parse(args[2], CultureInfo.InvariantCulture);
            int count = int.Parse(args[3], CultureInfo.InvariantCulture);
            int recipients = int.Parse(args[4], CultureInfo.InvariantCulture);
            string file = args[5];
            bool warm = args.Length > 6 && args[6] == "warm";
            var to = Enumerable.Range(1, recipients).Select(i => $"rcpt{i}@example.org").ToList();
            double seconds = command switch
            {
                "mailkit" => MailKitSend(host, port, count, to, file, warm),
                "netmail" => NetMailSend(host, port, count, to, file),
                _ => throw new ArgumentException("unknown command " + command),
            };
            Console.WriteLine($"{{\"seconds\":{seconds.ToString("R", CultureInfo.InvariantCulture)},\"peakRssMb\":{PeakRssMb().ToString("F1", CultureInfo.InvariantCulture)}}}");
            return 0;
        }

        /// <summary>
        /// MailKit, sending a message file as a MailKit user does: MimeMessage.Load and Send, for each
        /// message, over one connection. The file is its input, as it is SmtpPs's.
        /// </summary>
        private static double MailKitSend(string host, int port, int count, List<string> to, string file, bool warm)
        {
            var sender = MailboxAddress.Parse("bench@example.org");
            var recipients = to.Select(MailboxAddress.Parse).ToList();
            double seconds = 0;
            for (int round = 0; round < (warm ? 2 : 1); round++)
            {
                // As for SmtpPs: the timed run is the second one, once the JIT has done its work.
                using var client = new SmtpClient();
                var timer = Stopwatch.StartNew();
                client.Connect(host, port, SecureSocketOptions.None);
                for (int i = 0; i < count; i++)
                {
                    client.Send(MimeMessage.Load(file), sender, recipients);
                }

                client.Disconnect(true);
                seconds = timer.Elapsed.TotalSeconds;
            }

            return seconds;
        }

        /// <summary>System.Net.Mail composes: the file's text becomes the body of a MailMessage.</summary>
        private static double NetMailSend(string host, int port, int count, List<string> to, string file)
        {
            string body = File.ReadAllText(file);
            using (var warm = new System.Net.Mail.SmtpClient(host, port))
            {
                warm.Send("bench@example.org", to[0], "warm-up", "warm-up");
            }

            using var client = new System.Net.Mail.SmtpClient(host, port) { EnableSsl = false, DeliveryMethod = System.Net.Mail.SmtpDeliveryMethod.Network };
            var timer = Stopwatch.StartNew();
            for (int i = 0; i < count; i++)
            {
                using var message = new System.Net.Mail.MailMessage("bench@example.org", to[0], "bench", body);
                foreach (string extra in to.Skip(1))
                {
                    message.To.Add(extra);
                }

                client.Send(message);
            }

            return timer.Elapsed.TotalSeconds;
        }

        /// <summary>VmHWM: the peak resident set of this process, in MB.</summary>
        public static double PeakRssMb()
        {
            foreach (string line in File.ReadLines("/proc/self/status"))
            {
                if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
                {
                    return double.Parse(line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024;
                }
            }

            return double.NaN;
        }
    }

    /// <summary>
    /// A loopback relay that delays every chunk by a fixed time in each direction without limiting the
    /// rate: what a relay tens of milliseconds away looks like to a client. Loopback only.
    /// </summary>
    public static class Relay
    {
        public static void Run(int listenPort, int targetPort, int delayMs, int lifetimeSeconds)
        {
            var listener = new TcpListener(IPAddress.Loopback, listenPort);
            listener.Start();
            Console.WriteLine("ready");
            var end = DateTime.UtcNow.AddSeconds(lifetimeSeconds);
            while (DateTime.UtcNow < end)
            {
                if (!listener.Pending())
                {
                    Thread.Sleep(5);
                    continue;
                }

                Socket inbound = listener.AcceptSocket();
                inbound.NoDelay = true;
                var outbound = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                outbound.Connect(IPAddress.Loopback, targetPort);
                Start(inbound, outbound, delayMs);
                Start(outbound, inbound, delayMs);
            }

            listener.Stop();
        }

        private static void Start(Socket from, Socket to, int delayMs)
        {
            var queue = new BlockingQueue();
            new Thread(() =>
            {
                var buffer = new byte[256 * 1024];
                try
                {
                    int read;
                    while ((read = from.Receive(buffer)) > 0)
                    {
                        queue.Add(Stopwatch.GetTimestamp() + (long)(delayMs / 1000.0 * Stopwatch.Frequency), buffer.AsSpan(0, read).ToArray());
                    }
                }
                catch (SocketException)
                {
                }

                queue.Add(0, Array.Empty<byte>());
            }) { IsBackground = true }.Start();
            new Thread(() =>
            {
                try
                {
                    while (true)
                    {
                        (long due, byte[] bytes) = queue.Take();
                        if (bytes.Length == 0)
                        {
                            to.Shutdown(SocketShutdown.Send);
                            return;
                        }

                        long wait = due - Stopwatch.GetTimestamp();
                        if (wait > 0)
                        {
                            Thread.Sleep(TimeSpan.FromSeconds((double)wait / Stopwatch.Frequency));
                        }

                        to.Send(bytes);
                    }
                }
                catch (SocketException)
                {
                }
            }) { IsBackground = true }.Start();
        }

        private sealed class BlockingQueue
        {
            private readonly Queue<(long, byte[])> _items = new Queue<(long, byte[])>();

            public void Add(long due, byte[] bytes)
            {
                lock (_items)
                {
                    _items.Enqueue((due, bytes));
                    Monitor.Pulse(_items);
                }
            }

            public (long, byte[]) Take()
            {
                lock (_items)
                {
                    while (_items.Count == 0)
                    {
                        Monitor.Wait(_items);
                    }

                    return _items.Dequeue();
                }
            }
        }
    }
}
