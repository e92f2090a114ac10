using System.Collections.Generic;
using System.Text;

namespace SmtpPs.Testing.Engine
{
    /// <summary>A reply on its way to the client: a code and one text per line.</summary>
    internal sealed class Reply
    {
        internal Reply(int code, params string[] lines)
            : this(code, (IReadOnlyList<string>)lines)
        {
        }

        internal Reply(int code, IReadOnlyList<string> lines)
        {
            Code = code;
            Lines = lines.Count == 0 ? new[] { string.Empty } : lines;
        }

        internal int Code { get; }

        internal IReadOnlyList<string> Lines { get; }

        internal bool IsPositive => Code >= 200 && Code < 400;

        /// <summary>The reply as on the wire (RFC 5321 4.2.1): "250-first", ..., "250 last", without the final CRLF.</summary>
        internal string ToWire()
        {
            var text = new StringBuilder();
            for (int i = 0; i < Lines.Count; i++)
            {
                text.Append(i == 0 ? string.Empty : "\n").Append(Code).Append(i == Lines.Count - 1 ? ' ' : '-').Append(Lines[i]);
            }

            return text.ToString();
        }
    }
}
