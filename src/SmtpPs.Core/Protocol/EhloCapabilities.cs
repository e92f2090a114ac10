using System;
using System.Collections.Generic;

namespace SmtpPs.Protocol
{
    /// <summary>The extensions an EHLO reply advertises (RFC 5321 4.1.1.1): keyword, then parameters.</summary>
    internal static class EhloCapabilities
    {
        public static Dictionary<string, string> Parse(IReadOnlyList<string> lines)
        {
            var capabilities = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
            for (int i = 1; i < lines.Count; i++) // the first line is the server's name and greeting
            {
                string line = lines[i].Trim();
                if (line.Length == 0)
                {
                    continue;
                }

                int space = line.IndexOf(' ');
                string keyword = (space < 0 ? line : line.Substring(0, space)).ToUpperInvariant();
                capabilities[keyword] = space < 0 ? string.Empty : line.Substring(space + 1).Trim();
            }

            return capabilities;
        }
    }
}
