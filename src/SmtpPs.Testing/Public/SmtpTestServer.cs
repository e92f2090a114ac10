using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using SmtpPs.Testing;

namespace SmtpPs
{
    /// <summary>
    /// An SMTP server inside this process that captures what clients send, for tests of scripts that
    /// send mail. Real ESMTP (the SmtpServer library behind a front that owns the bytes); several can
    /// run at once; all stop when the process exits.
    /// </summary>
    public sealed class SmtpTestServer : IDisposable
    {
        private static readonly List<SmtpTestServer> RunningServers = new List<SmtpTestServer>();
        private static int _lastId;
        private static bool _exitHooked;

        private readonly MessageStore _store = new MessageStore();
        private readonly List<SmtpTestTransaction> _transactions = new List<SmtpTestTransaction>();
        private readonly List<SmtpTestConnection> _connections = new List<SmtpTestConnection>();
        private readonly List<SmtpTestFault> _faults = new List<SmtpTestFault>();
        private readonly ISmtpTestEngine _engine;
        private int _connectionIds;
        private int _transactionNumbers;
        private int _faultIds;
        private long _queueIds;

        private SmtpTestServer(SmtpTestServerOptions options, ISmtpTestEngine engine)
        {
            Id = Interlocked.Increment(ref _lastId);
            Options = options;
            _engine = engine;
            Started = DateTime.Now;
        }

        /// <summary>The servers of this process that are running, in the order they started.</summary>
        public static IReadOnlyList<SmtpTestServer> Running
        {
            get
            {
                lock (RunningServers)
                {
                    return RunningServers.ToArray();
                }
            }
        }

        /// <summary>Numbers the servers of this process from 1.</summary>
        public int Id { get; }

        public SmtpTestServerOptions Options { get; }

        public IPAddress Address => Options.Address;

        /// <summary>The port clients connect to.</summary>
        public int Port { get; private set; }

        /// <summary>"address:port", as Send-RawSmtpMail -Server takes host and port apart.</summary>
        public string EndPoint => (Address.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6 ? $"[{Address}]" : Address.ToString()) + ":" + Port;

        public SmtpTestTlsMode Tls => Options.Tls;

        /// <summary>The certificate presented over TLS; null without TLS.</summary>
        public X509Certificate2? Certificate { get; private set; }

        /// <summary>SHA-256 of the certificate, upper-case hex: what Send-RawSmtpMail -CertificateThumbprint pins.</summary>
        public string? CertificateThumbprint { get; private set; }

        public DateTime Started { get; }

        public bool IsRunning { get; private set; }

        /// <summary>The accepted messages, in arrival order.</summary>
        public IReadOnlyList<SmtpTestMessage> Messages => _store.Snapshot();

        /// <summary>Every transaction that ended (accepted, refused, aborted or cut off), in the order they ended.</summary>
        public IReadOnlyList<SmtpTestTransaction> Transactions
        {
            get
            {
                lock (_transactions)
                {
                    return _transactions.ToArray();
                }
            }
        }

        /// <summary>Every client connection, with its transcript.</summary>
        public IReadOnlyList<SmtpTestConnection> Connections
        {
            get
            {
                lock (_connections)
                {
                    return _connections.ToArray();
                }
            }
        }

        /// <summary>The scripted faults, in the order they are tried.</summary>
        public IReadOnlyList<SmtpTestFault> Faults
        {
            get
            {
                lock (_faults)
                {
                    return _faults.ToArray();
                }
            }
        }

        /// <summary>
        /// Starts a server. Throws PlatformNotSupportedException where the engine cannot run (Windows
        /// PowerShell 5.1) and SocketException when the address or port cannot be bound.
        /// </summary>
        public static SmtpTestServer Start(SmtpTestServerOptions options)
        {
            if (options == null)
            {
                throw new ArgumentNullException(nameof(options));
            }

            SmtpTestServerOptions settled = options.Copy();
            if (settled.Certificate != null && !settled.Certificate.HasPrivateKey)
            {
                throw new ArgumentException("The certificate has no private key, so it cannot serve TLS.", nameof(options));
            }

            ISmtpTestEngine engine = EngineLoader.Create();
            var server = new SmtpTestServer(settled, engine);
            if (settled.Tls != SmtpTestTlsMode.None)
            {
                server.Certificate = settled.Certificate ?? engine.CreateCertificate(settled.Address);
                server.CertificateThumbprint = Hex(server.Certificate.RawData);
            }

            try
            {
                server.Port = engine.Start(server).Port;
            }
            catch
            {
                engine.Dispose();
                throw;
            }

            server.IsRunning = true;
            lock (RunningServers)
            {
                RunningServers.Add(server);
                if (!_exitHooked)
                {
                    // Listening sockets die with the process anyway; this closes client connections politely.
                    AppDomain.CurrentDomain.ProcessExit += (_, _) => StopAll();
                    _exitHooked = true;
                }
            }

            return server;
        }

        /// <summary>Stops every running server of this process.</summary>
        public static void StopAll()
        {
            foreach (SmtpTestServer server in Running)
            {
                server.Stop();
            }
        }

        /// <summary>Adds a fault; faults are tried in the order they were added, and the first that applies wins.</summary>
        public SmtpTestFault AddFault(SmtpTestFault fault)
        {
            lock (_faults)
            {
                if (fault.Id != 0)
                {
                    throw new InvalidOperationException("This fault already belongs to a server; make a new one.");
                }

                fault.Id = ++_faultIds;
                _faults.Add(fault);
            }

            return fault;
        }

        /// <summary>Removes one fault (and what its greylisting remembered); true when it was there.</summary>
        public bool RemoveFault(SmtpTestFault fault)
        {
            lock (_faults)
            {
                return _faults.Remove(fault);
            }
        }

        public void ClearFaults()
        {
            lock (_faults)
            {
                _faults.Clear();
            }
        }

        /// <summary>Forgets the captured messages, the transaction records and the connection records.</summary>
        public void Clear()
        {
            _store.Clear();
            lock (_transactions)
            {
                _transactions.Clear();
            }

            lock (_connections)
            {
                _connections.RemoveAll(c => c.Closed != null);
            }
        }

        /// <summary>
        /// Waits until <paramref name="count"/> messages that pass <paramref name="filter"/> have arrived, or
        /// the timeout passes; returns the matching messages and whether there were enough.
        /// </summary>
        public IReadOnlyList<SmtpTestMessage> WaitForMessages(Func<SmtpTestMessage, bool>? filter, int count, TimeSpan timeout, CancellationToken cancel, out bool enough) =>
            _store.Wait(filter ?? (_ => true), count, timeout, cancel, out enough);

        /// <summary>Stops listening and closes every connection; the records stay readable.</summary>
        public void Stop()
        {
            lock (RunningServers)
            {
                if (!IsRunning)
                {
                    return;
                }

                IsRunning = false;
                RunningServers.Remove(this);
            }

            _engine.Dispose();
        }

        public void Dispose() => Stop();

        public override string ToString() => $"SMTP test server #{Id} on {EndPoint}";

        // What the engine calls.
        internal SmtpTestConnection OpenConnection(string remoteEndPoint)
        {
            var connection = new SmtpTestConnection(Interlocked.Increment(ref _connectionIds), remoteEndPoint);
            lock (_connections)
            {
                _connections.Add(connection);
            }

            return connection;
        }

        /// <summary>The first fault that applies to this moment of the dialogue, or null.</summary>
        internal SmtpTestFault? FindFault(SmtpStage stage, string sender, string? recipient)
        {
            lock (_faults)
            {
                return _faults.FirstOrDefault(f => f.TryApply(stage, sender, recipient));
            }
        }

        internal bool CheckCredential(string user, string password) =>
            Options.Credential == null || (Options.Credential.UserName == user && Options.Credential.Password == password);

        internal void EndTransaction(SmtpTestTransaction transaction)
        {
            lock (_transactions)
            {
                transaction.Number = ++_transactionNumbers;
                _transactions.Add(transaction);
            }
        }

        internal string NextQueueId() => "T" + Id.ToString("X") + "Q" + Interlocked.Increment(ref _queueIds).ToString("X6");

        internal void Accept(SmtpTestMessage message) => _store.Add(message);

        private static string Hex(byte[] data)
        {
            using var sha = SHA256.Create();
            return BitConverter.ToString(sha.ComputeHash(data)).Replace("-", string.Empty);
        }
    }
}
