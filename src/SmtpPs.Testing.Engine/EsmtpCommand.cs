using System;
using System.Collections.Generic;
using System.Linq;

namespace SmtpPs.Testing.Engine
{
    /// <summary>
    /// A MAIL FROM or RCPT TO line taken apart by the front: the path and the ESMTP parameters, which
    /// SmtpServer 11.1.0 drops (RCPT) or decodes as ASCII (UTF-8 addresses).
    /// </summary>
    internal sealed class EsmtpCommand
    {
        private EsmtpCommand(string address, IReadOnlyDictionary<string, string?> parameters)
        {
            Address = address;
            Parameters = parameters;
        }

        /// <summary>The path inside the angle brackets; empty for the null reverse-path.</summary>
        internal string Address { get; }

        /// <summary>ESMTP parameters by upper-case keyword (RFC 5321 4.1.2); null for a keyword without value.</summary>
        internal IReadOnlyDictionary<string, string?> Parameters { get; }

        internal bool IsAscii => Address.All(c => c < 128);

        /// <summary>Parses "MAIL FROM:&lt;a@b&gt; KEY=VALUE ..." (or "RCPT TO:"); null when the line does not have that shape.</summary>
        internal static EsmtpCommand? Parse(string line, string prefix)
        {
            if (!line.StartsWith(prefix, StringComparison.OrdinalIgnoreCase))
            {
                return null;
            }

            int at = prefix.Length;
            while (at < line.Length && line[at] == ' ')
            {
                at++; // "MAIL FROM: <a@b>" is common enough to accept.
            }

            if (at >= line.Length || line[at] != '<')
            {
                return null;
            }

            int close = -1;
            bool quoted = false;
            for (int i = at + 1; i < line.Length; i++)
            {
                if (line[i] == '\\' && quoted)
                {
                    i++;
                }
                else if (line[i] == '"')
                {
                    quoted = !quoted;
                }
                else if (line[i] == '>' && !quoted)
                {
                    close = i;
                    break;
                }
            }

            if (close < 0)
            {
                return null;
            }

            string address = line.Substring(at + 1, close - at - 1);
            int route = address.IndexOf(':');
            if (address.StartsWith("@", StringComparison.Ordinal) && route > 0)
            {
                address = address.Substring(route + 1); // RFC 5321 4.1.1.3: a source route is ignored.
            }

            var parameters = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
            foreach (string word in line.Substring(close + 1).Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                int equals = word.IndexOf('=');
                string keyword = (equals < 0 ? word : word.Substring(0, equals)).ToUpperInvariant();
                if (keyword.Length == 0 || parameters.ContainsKey(keyword))
                {
                    return null;
                }

                parameters[keyword] = equals < 0 ? null : word.Substring(equals + 1);
            }

            return new EsmtpCommand(address, parameters);
        }
    }
}
