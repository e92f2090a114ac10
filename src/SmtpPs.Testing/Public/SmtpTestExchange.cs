using System;
using System.Collections.Generic;

namespace SmtpPs
{
    /// <summary>One command a test server received and the reply it gave (Code 0: it gave none).</summary>
    public sealed class SmtpTestExchange
    {
        internal SmtpTestExchange(SmtpStage stage, string command, int code, IReadOnlyList<string> lines)
        {
            Stage = stage;
            Command = command;
            Code = code;
            Lines = lines;
            Time = DateTime.Now;
        }

        /// <summary>The step of the dialogue, named as the client names it (MailFrom, RcptTo, EndOfData, ...).</summary>
        public SmtpStage Stage { get; }

        /// <summary>The command line as received (AUTH secrets replaced by ***), or "(end of data)".</summary>
        public string Command { get; }

        /// <summary>The reply code, or 0 when the server closed the connection instead of replying.</summary>
        public int Code { get; }

        /// <summary>The text of each reply line, without the code.</summary>
        public IReadOnlyList<string> Lines { get; }

        /// <summary>All lines' text joined by newlines.</summary>
        public string Text => string.Join("\n", Lines);

        /// <summary>When the reply was given (local time).</summary>
        public DateTime Time { get; }

        /// <summary>2xx and 3xx.</summary>
        public bool IsPositive => Code >= 200 && Code < 400;

        public override string ToString() => Code == 0 ? Command + " -> (no reply)" : $"{Command} -> {Code} {Text}";
    }
}
