using System;
using System.Collections.Generic;
using System.Linq;

namespace SmtpPs.Session
{
    /// <summary>
    /// How long each stage may take: the one place for the defaults. RFC 5321 4.5.3.2 gives the minimums
    /// for the greeting, MAIL, RCPT, DATA, each data block and the final dot; the rest follow Postfix.
    /// </summary>
    internal sealed class SmtpTimeouts
    {
        private static readonly IReadOnlyDictionary<SmtpStage, TimeSpan> Defaults = new Dictionary<SmtpStage, TimeSpan>
        {
            [SmtpStage.Connect] = TimeSpan.FromSeconds(30),   // each address; Postfix smtp_connect_timeout
            [SmtpStage.Greeting] = TimeSpan.FromMinutes(5),   // RFC 5321 4.5.3.2.1
            [SmtpStage.Ehlo] = TimeSpan.FromMinutes(5),       // Postfix smtp_helo_timeout
            [SmtpStage.Helo] = TimeSpan.FromMinutes(5),
            [SmtpStage.StartTls] = TimeSpan.FromMinutes(5),   // Postfix smtp_starttls_timeout, handshake included
            [SmtpStage.Auth] = TimeSpan.FromMinutes(5),       // each AUTH step, like a command
            [SmtpStage.MailFrom] = TimeSpan.FromMinutes(5),   // 4.5.3.2.2
            [SmtpStage.RcptTo] = TimeSpan.FromMinutes(5),     // 4.5.3.2.3
            [SmtpStage.Data] = TimeSpan.FromMinutes(2),       // 4.5.3.2.4
            [SmtpStage.Content] = TimeSpan.FromMinutes(3),    // 4.5.3.2.5, each data block
            [SmtpStage.EndOfData] = TimeSpan.FromMinutes(10), // 4.5.3.2.6
            [SmtpStage.Reset] = TimeSpan.FromSeconds(20),     // Postfix smtp_rset_timeout
            [SmtpStage.Quit] = TimeSpan.FromSeconds(60),      // shorter than Postfix: every message is settled by then
        };

        private readonly IReadOnlyDictionary<SmtpStage, TimeSpan> _limits;

        public SmtpTimeouts()
            : this(Defaults)
        {
        }

        private SmtpTimeouts(IReadOnlyDictionary<SmtpStage, TimeSpan> limits)
        {
            _limits = limits;
        }

        public TimeSpan Connect => For(SmtpStage.Connect);

        public TimeSpan Greeting => For(SmtpStage.Greeting);

        public TimeSpan StartTls => For(SmtpStage.StartTls);

        public TimeSpan DataBlock => For(SmtpStage.Content);

        public TimeSpan EndOfData => For(SmtpStage.EndOfData);

        public TimeSpan Reset => For(SmtpStage.Reset);

        public TimeSpan For(SmtpStage stage) => _limits[stage];

        /// <summary>The same table with no stage longer than <paramref name="cap"/>.</summary>
        public SmtpTimeouts CappedAt(TimeSpan cap) =>
            new SmtpTimeouts(_limits.ToDictionary(limit => limit.Key, limit => limit.Value < cap ? limit.Value : cap));
    }
}
