using System;
using System.Collections.Generic;
using System.Text;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// Reads fields of a message's header block (RFC 5322 2.2): unfolds continuation lines and takes
    /// the addresses out of address lists (RFC 5322 3.4): "Name &lt;addr&gt;", bare addresses, quoted
    /// display names, comments and groups. Enough for -RecipientsFromHeaders, as `sendmail -t` does it.
    /// </summary>
    internal static class HeaderFields
    {
        /// <summary>The unfolded values of every field named <paramref name="name"/> (case-insensitive).</summary>
        public static List<string> Values(string headers, string name)
        {
            var values = new List<string>();
            StringBuilder? current = null;
            foreach (string line in headers.Split('\n'))
            {
                if (line.Length > 0 && (line[0] == ' ' || line[0] == '\t'))
                {
                    current?.Append(' ').Append(line.Trim());
                    continue;
                }

                if (current != null)
                {
                    values.Add(current.ToString().Trim());
                    current = null;
                }

                int colon = line.IndexOf(':');
                if (colon > 0 && string.Equals(line.Substring(0, colon).Trim(), name, StringComparison.OrdinalIgnoreCase))
                {
                    current = new StringBuilder(line.Substring(colon + 1));
                }
            }

            if (current != null)
            {
                values.Add(current.ToString().Trim());
            }

            return values;
        }

        public static bool Has(string headers, string name) => Values(headers, name).Count > 0;

        /// <summary>The addresses in an address-list value, in order.</summary>
        public static List<string> Addresses(string value)
        {
            var addresses = new List<string>();
            foreach (string item in SplitTopLevel(RemoveComments(value)))
            {
                string mailbox = item.Trim();
                int colon = IndexOutsideQuotes(mailbox, ':');
                if (colon >= 0 && mailbox.IndexOf('<') < 0 || colon >= 0 && colon < mailbox.IndexOf('<'))
                {
                    // A group: "name: a@b, c@d;" - the part after the colon holds the first member.
                    mailbox = mailbox.Substring(colon + 1).Trim();
                }

                mailbox = mailbox.TrimEnd(';').Trim();
                int open = mailbox.LastIndexOf('<');
                int close = mailbox.LastIndexOf('>');
                if (open >= 0 && close > open)
                {
                    mailbox = mailbox.Substring(open + 1, close - open - 1).Trim();
                }

                if (mailbox.Length > 0)
                {
                    addresses.Add(mailbox);
                }
            }

            return addresses;
        }

        private static string RemoveComments(string value)
        {
            var text = new StringBuilder(value.Length);
            int depth = 0;
            bool quoted = false;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '\\' && i + 1 < value.Length)
                {
                    if (depth == 0)
                    {
                        text.Append(c).Append(value[i + 1]);
                    }

                    i++;
                    continue;
                }

                if (!quoted && c == '(')
                {
                    depth++;
                    continue;
                }

                if (!quoted && c == ')' && depth > 0)
                {
                    depth--;
                    continue;
                }

                if (depth == 0)
                {
                    if (c == '"')
                    {
                        quoted = !quoted;
                    }

                    text.Append(c);
                }
            }

            return text.ToString();
        }

        /// <summary>Splits at commas (and the ';' that ends a group) outside quotes and angle brackets.</summary>
        private static IEnumerable<string> SplitTopLevel(string value)
        {
            var current = new StringBuilder();
            bool quoted = false;
            bool angle = false;
            for (int i = 0; i < value.Length; i++)
            {
                char c = value[i];
                if (c == '\\' && i + 1 < value.Length)
                {
                    current.Append(c).Append(value[++i]);
                    continue;
                }

                if (c == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && c == '<')
                {
                    angle = true;
                }
                else if (!quoted && c == '>')
                {
                    angle = false;
                }
                else if (!quoted && !angle && (c == ',' || c == ';'))
                {
                    yield return current.ToString();
                    current.Clear();
                    continue;
                }

                current.Append(c);
            }

            yield return current.ToString();
        }

        private static int IndexOutsideQuotes(string value, char wanted)
        {
            bool quoted = false;
            for (int i = 0; i < value.Length; i++)
            {
                if (value[i] == '"')
                {
                    quoted = !quoted;
                }
                else if (!quoted && value[i] == wanted)
                {
                    return i;
                }
            }

            return -1;
        }
    }
}
