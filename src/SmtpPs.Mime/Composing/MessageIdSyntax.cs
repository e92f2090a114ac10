namespace SmtpPs.Mime
{
    /// <summary>
    /// The msg-id of RFC 5322 3.6.4: "&lt;" id-left "@" id-right "&gt;", where id-left is a dot-atom-text
    /// and id-right a dot-atom-text or a [literal]. The obsolete forms are not made, and not accepted.
    /// </summary>
    internal static class MessageIdSyntax
    {
        /// <summary>True when <paramref name="value"/>, trimmed of white space, is one msg-id.</summary>
        public static bool IsMsgId(string value)
        {
            value = value.Trim(' ', '\t');
            if (value.Length < 5 || value[0] != '<' || value[value.Length - 1] != '>')
            {
                return false;
            }

            string inner = value.Substring(1, value.Length - 2);
            int at = inner.LastIndexOf('@');
            if (at <= 0 || at == inner.Length - 1)
            {
                return false;
            }

            string right = inner.Substring(at + 1);
            return IsDotAtomText(inner.Substring(0, at)) && (IsDotAtomText(right) || IsLiteral(right));
        }

        /// <summary>True when <paramref name="value"/> is one or more msg-ids separated by white space (In-Reply-To, References).</summary>
        public static bool IsMsgIdList(string value)
        {
            string[] ids = value.Replace("\t", " ").Replace(">", "> ").Split(new[] { ' ' }, System.StringSplitOptions.RemoveEmptyEntries);
            if (ids.Length == 0)
            {
                return false;
            }

            foreach (string id in ids)
            {
                if (!IsMsgId(id))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsDotAtomText(string text)
        {
            if (text.Length == 0 || text[0] == '.' || text[text.Length - 1] == '.' || text.Contains(".."))
            {
                return false;
            }

            foreach (char c in text)
            {
                if (c != '.' && !IsAtext(c))
                {
                    return false;
                }
            }

            return true;
        }

        private static bool IsLiteral(string text)
        {
            if (text.Length < 2 || text[0] != '[' || text[text.Length - 1] != ']')
            {
                return false;
            }

            for (int i = 1; i < text.Length - 1; i++)
            {
                char c = text[i];
                if (c < '!' || c > '~' || c == '[' || c == ']' || c == '\\')
                {
                    return false;
                }
            }

            return true;
        }

        // RFC 5322 3.2.3
        private static bool IsAtext(char c) =>
            c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || "!#$%&'*+-/=?^_`{|}~".IndexOf(c) >= 0;
    }
}
