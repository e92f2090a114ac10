using System;
using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>
    /// One reply from the server, exactly as it arrived: the cmdlet writes one of these to the
    /// pipeline for every reply, positive or negative.
    /// </summary>
    public sealed class SmtpReply
    {
        public SmtpReply(int code, IReadOnlyList<string> lines, string enhancedStatusCode, string command,
            SmtpStage stage, TimeSpan elapsed, string? path, string server, SmtpTlsInfo? tls = null)
        {
            Code = code;
            Lines = lines;
            EnhancedStatusCode = enhancedStatusCode;
            Command = command;
            Stage = stage;
            Elapsed = elapsed;
            Path = path;
            Server = server;
            Tls = tls;
        }

        /// <summary>The three-digit reply code. An int, not an enum: a raw tool must show codes nobody listed.</summary>
        public int Code { get; }

        /// <summary>The text of every line, without the code and separator, control characters neutralised.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>All lines' text joined by newlines.</summary>
        public string Text => string.Join("\n", Lines);

        /// <summary>class.subject.detail (RFC 3463) when the server advertised ENHANCEDSTATUSCODES, else empty.</summary>
        public string EnhancedStatusCode { get; }

        /// <summary>The command that caused the reply, secrets redacted; "(greeting)" or "(end of data)" where there was none.</summary>
        public string Command { get; }

        /// <summary>The step of the dialogue the reply answers.</summary>
        public SmtpStage Stage { get; }

        /// <summary>Time from sending the command (or connecting) to the end of the whole reply.</summary>
        public TimeSpan Elapsed { get; }

        /// <summary>The message file this reply belongs to; empty for replies of the session (greeting, EHLO, QUIT).</summary>
        public string? Path { get; }

        /// <summary>The server and port that sent the reply, as "host:port".</summary>
        public string Server { get; }

        /// <summary>The TLS session the reply came over; null when the connection was not encrypted.</summary>
        public SmtpTlsInfo? Tls { get; }

        /// <summary>True when the reply came over TLS.</summary>
        public bool TlsActive => Tls != null;

        /// <summary>2xx and 3xx (RFC 5321 4.2.1).</summary>
        public bool IsPositive => ReplyClass.IsPositive(Code);

        /// <summary>4xx: the same command may succeed later.</summary>
        public bool IsTransient => ReplyClass.IsTransient(Code);

        /// <summary>5xx: the same command will fail again.</summary>
        public bool IsPermanent => ReplyClass.IsPermanent(Code);

        public override string ToString() => Code + " " + Text;
    }
}
