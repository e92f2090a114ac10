using System;

namespace SmtpPs.Session
{
    /// <summary>
    /// How long each stage may take: the one place for the defaults. RFC 5321 4.5.3.2 gives the minimums
    /// for the greeting, MAIL, RCPT, DATA, each data block and the final dot; the rest follow Postfix.
    /// </summary>
    internal sealed class SmtpTimeouts
    {
        public TimeSpan Connect { get; private set; } = TimeSpan.FromSeconds(30);   // Postfix smtp_connect_timeout

        public TimeSpan Greeting { get; private set; } = TimeSpan.FromMinutes(5);   // RFC 5321 4.5.3.2.1

        public TimeSpan Ehlo { get; private set; } = TimeSpan.FromMinutes(5);       // Postfix smtp_helo_timeout

        public TimeSpan StartTls { get; private set; } = TimeSpan.FromMinutes(5);   // Postfix smtp_starttls_timeout, handshake included

        public TimeSpan Auth { get; private set; } = TimeSpan.FromMinutes(5);       // each AUTH step, like a command

        public TimeSpan MailFrom { get; private set; } = TimeSpan.FromMinutes(5);   // 4.5.3.2.2

        public TimeSpan RcptTo { get; private set; } = TimeSpan.FromMinutes(5);     // 4.5.3.2.3

        public TimeSpan Data { get; private set; } = TimeSpan.FromMinutes(2);       // 4.5.3.2.4

        public TimeSpan DataBlock { get; private set; } = TimeSpan.FromMinutes(3);  // 4.5.3.2.5

        public TimeSpan EndOfData { get; private set; } = TimeSpan.FromMinutes(10); // 4.5.3.2.6

        public TimeSpan Reset { get; private set; } = TimeSpan.FromSeconds(20);     // Postfix smtp_rset_timeout

        public TimeSpan Quit { get; private set; } = TimeSpan.FromSeconds(60);      // shorter than Postfix: every message is settled by then

        public TimeSpan For(SmtpStage stage) => stage switch
        {
            SmtpStage.Connect => Connect,
            SmtpStage.Greeting => Greeting,
            SmtpStage.Ehlo => Ehlo,
            SmtpStage.Helo => Ehlo,
            SmtpStage.StartTls => StartTls,
            SmtpStage.Auth => Auth,
            SmtpStage.MailFrom => MailFrom,
            SmtpStage.RcptTo => RcptTo,
            SmtpStage.Data => Data,
            SmtpStage.Content => DataBlock,
            SmtpStage.EndOfData => EndOfData,
            SmtpStage.Reset => Reset,
            SmtpStage.Quit => Quit,
            _ => Greeting,
        };

        /// <summary>The same table with no stage longer than <paramref name="cap"/>: -TimeoutSec.</summary>
        public SmtpTimeouts CappedAt(TimeSpan cap)
        {
            TimeSpan Min(TimeSpan value) => value < cap ? value : cap;
            return new SmtpTimeouts
            {
                Connect = Min(Connect),
                Greeting = Min(Greeting),
                Ehlo = Min(Ehlo),
                StartTls = Min(StartTls),
                Auth = Min(Auth),
                MailFrom = Min(MailFrom),
                RcptTo = Min(RcptTo),
                Data = Min(Data),
                DataBlock = Min(DataBlock),
                EndOfData = Min(EndOfData),
                Reset = Min(Reset),
                Quit = Min(Quit),
            };
        }
    }
}
