namespace SmtpPs.Protocol
{
    /// <summary>
    /// Finds the RFC 3463 class.subject.detail at the start of a reply's text (RFC 2034): class 2, 4 or 5,
    /// matching the reply code's first digit; subject and detail of one to three digits.
    /// </summary>
    internal static class EnhancedStatusCode
    {
        public static string Parse(int replyCode, string firstLine)
        {
            int replyClass = replyCode / 100;
            if (replyClass != 2 && replyClass != 4 && replyClass != 5)
            {
                return string.Empty; // RFC 2034: 3xx replies carry none.
            }

            int i = 0;
            if (firstLine.Length < 5 || firstLine[0] - '0' != replyClass || firstLine[1] != '.')
            {
                return string.Empty;
            }

            i = 2;
            if (!SkipDigits(firstLine, ref i) || i >= firstLine.Length || firstLine[i] != '.')
            {
                return string.Empty;
            }

            i++;
            if (!SkipDigits(firstLine, ref i))
            {
                return string.Empty;
            }

            if (i < firstLine.Length && firstLine[i] != ' ' && firstLine[i] != '\t')
            {
                return string.Empty;
            }

            return firstLine.Substring(0, i);
        }

        private static bool SkipDigits(string text, ref int i)
        {
            int start = i;
            while (i < text.Length && i - start < 4 && text[i] >= '0' && text[i] <= '9')
            {
                i++;
            }

            int count = i - start;
            return count >= 1 && count <= 3;
        }
    }
}
