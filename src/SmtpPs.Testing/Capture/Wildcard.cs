using System;

namespace SmtpPs.Testing
{
    /// <summary>Case-insensitive * and ? matching, as PowerShell's -like does for addresses.</summary>
    internal static class Wildcard
    {
        internal static bool IsMatch(string text, string pattern) => Match(text, 0, pattern, 0);

        private static bool Match(string text, int t, string pattern, int p)
        {
            while (p < pattern.Length)
            {
                char c = pattern[p];
                if (c == '*')
                {
                    for (int skip = t; skip <= text.Length; skip++)
                    {
                        if (Match(text, skip, pattern, p + 1))
                        {
                            return true;
                        }
                    }

                    return false;
                }

                if (t >= text.Length || (c != '?' && char.ToUpperInvariant(c) != char.ToUpperInvariant(text[t])))
                {
                    return false;
                }

                t++;
                p++;
            }

            return t == text.Length;
        }
    }
}
