using System;
using System.Collections.Generic;
using System.Globalization;
using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>What the server advertised in its last EHLO reply (RFC 5321 4.1.1.1), in the terms the dialogue uses.</summary>
    internal sealed class ServerCapabilities
    {
        /// <summary>The extensions SmtpPs uses when offered, in the order -Verbose names them.</summary>
        private static readonly string[] Used = { "PIPELINING", "CHUNKING", "SIZE", "8BITMIME", "SMTPUTF8", "DSN", "ENHANCEDSTATUSCODES" };

        private readonly Dictionary<string, string> _keywords;

        private ServerCapabilities(Dictionary<string, string> keywords)
        {
            _keywords = keywords;
        }

        /// <summary>Before EHLO, after HELO, and after STARTTLS until EHLO is sent again (RFC 3207 4.2): nothing.</summary>
        public static ServerCapabilities None { get; } = new ServerCapabilities(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase));

        /// <summary>Every extension whose parameters SmtpPs may add, with no SIZE limit: what makes the longest MAIL and RCPT lines.</summary>
        public static ServerCapabilities Everything { get; } = new ServerCapabilities(new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["8BITMIME"] = string.Empty,
            ["SIZE"] = string.Empty,
            ["SMTPUTF8"] = string.Empty,
            ["DSN"] = string.Empty,
        });

        public static ServerCapabilities FromEhlo(SmtpReply ehlo) => new ServerCapabilities(EhloCapabilities.Parse(ehlo.Lines));

        public bool Has(string keyword) => _keywords.ContainsKey(keyword);

        public bool Pipelining => Has("PIPELINING");

        public bool Chunking => Has("CHUNKING");

        public bool EightBitMime => Has("8BITMIME");

        public bool SmtpUtf8 => Has("SMTPUTF8");

        public bool Dsn => Has("DSN");

        public bool StartTls => Has("STARTTLS");

        public bool EnhancedStatusCodes => Has("ENHANCEDSTATUSCODES");

        /// <summary>The SIZE limit in octets (RFC 1870); 0 when SIZE is offered without one; null when SIZE is not offered.</summary>
        public long? SizeLimit => _keywords.TryGetValue("SIZE", out string? size)
            ? long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long limit) ? limit : 0
            : (long?)null;

        /// <summary>The AUTH mechanisms, upper case; null when AUTH is not offered.</summary>
        public string? Auth => _keywords.TryGetValue("AUTH", out string? mechanisms) ? mechanisms : null;

        /// <summary>"The server advertised: ..." and "SmtpPs uses: ..." for the log.</summary>
        public string Describe()
        {
            if (_keywords.Count == 0)
            {
                return "The server advertised no extensions.";
            }

            var used = new List<string>();
            foreach (string extension in Used)
            {
                if (Has(extension))
                {
                    used.Add(extension);
                }
            }

            return "The server advertised: " + string.Join(", ", _keywords.Keys) + ". " +
                   (used.Count == 0 ? "SmtpPs uses none of its extensions with this server." : "SmtpPs uses: " + string.Join(", ", used) + ".");
        }
    }
}
