using System;
using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>One client connection to a test server: who, TLS, AUTH and the whole dialogue.</summary>
    public sealed class SmtpTestConnection
    {
        private readonly List<SmtpLogEntry> _transcript = new List<SmtpLogEntry>();

        internal SmtpTestConnection(int id, string remoteEndPoint)
        {
            Id = id;
            RemoteEndPoint = remoteEndPoint;
            Opened = DateTime.Now;
        }

        /// <summary>Numbers the connections of one server from 1, in the order they were accepted.</summary>
        public int Id { get; }

        /// <summary>The client's address and port.</summary>
        public string RemoteEndPoint { get; }

        public DateTime Opened { get; }

        /// <summary>When the connection ended; null while it is open.</summary>
        public DateTime? Closed { get; internal set; }

        /// <summary>The name the client gave in its last accepted EHLO or HELO.</summary>
        public string? HeloName { get; internal set; }

        /// <summary>The TLS protocol in use (Tls12, Tls13), or null without TLS.</summary>
        public string? TlsProtocol { get; internal set; }

        /// <summary>The user name of a successful AUTH, or null.</summary>
        public string? AuthenticatedUser { get; internal set; }

        /// <summary>
        /// The dialogue as the server saw it, in the log type Send-RawSmtpMail uses: Client lines (AUTH
        /// secrets replaced by ***), Server replies, and events (TLS, content, faults, closing).
        /// </summary>
        public IReadOnlyList<SmtpLogEntry> Transcript
        {
            get
            {
                lock (_transcript)
                {
                    return _transcript.ToArray();
                }
            }
        }

        internal void Log(SmtpLogKind kind, string text)
        {
            lock (_transcript)
            {
                _transcript.Add(new SmtpLogEntry(DateTime.UtcNow, kind, text));
            }
        }

        public override string ToString() => $"#{Id} {RemoteEndPoint}";
    }
}
