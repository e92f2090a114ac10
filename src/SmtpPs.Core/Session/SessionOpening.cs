using System.Diagnostics;

namespace SmtpPs.Session
{
    /// <summary>
    /// Everything before the first MAIL FROM: TLS from the first byte when asked, the greeting, EHLO (HELO
    /// on 500/502, RFC 5321 4.1.4), STARTTLS and the EHLO after it, AUTH, each as far as -QuitAfter lets
    /// the dialogue go.
    /// </summary>
    internal sealed class SessionOpening
    {
        private readonly SmtpSession _session;

        public SessionOpening(SmtpSession session)
        {
            _session = session;
        }

        private SmtpChannel Channel => _session.Channel;

        private SessionOptions Options => _session.Options;

        public void Run(Stopwatch sinceConnect)
        {
            if (Options.UsesImplicitTls)
            {
                try
                {
                    Channel.StartTls(Options.CertificatePolicy());
                }
                catch (SmtpTlsException e)
                {
                    e.ImplicitTls = true;
                    throw;
                }
            }

            Greet(sinceConnect);
            if (!Options.GoesPast(SmtpQuitAfter.Connect))
            {
                return;
            }

            string heloName = Options.HeloName ?? HeloName.ForThisMachine(Channel.LocalEndPoint);
            Introduce(heloName);
            if (!Options.GoesPast(SmtpQuitAfter.Ehlo))
            {
                return;
            }

            if (Options.WantsStartTls && new StartTlsNegotiation(_session).Run())
            {
                Introduce(heloName);
            }

            if (Options.Credentials != null && Options.GoesPast(SmtpQuitAfter.StartTls))
            {
                new Authenticator(_session, Options.Credentials).Run();
            }
        }

        private void Greet(Stopwatch sinceConnect)
        {
            SmtpReply greeting = Channel.Read("(greeting)", SmtpStage.Greeting, null, sinceConnect, Channel.Timeouts.Greeting);
            if (!Expect.Code(greeting, 220))
            {
                throw _session.End(greeting, "The server refused the session in its greeting; nothing was sent");
            }
        }

        private void Introduce(string heloName)
        {
            SmtpReply ehlo = Channel.Exchange(SmtpCommand.Of("EHLO " + heloName, SmtpStage.Ehlo));
            if (Expect.Code(ehlo, 250))
            {
                _session.LearnCapabilities(ehlo);
                return;
            }

            if (ehlo.Code != 500 && ehlo.Code != 502)
            {
                throw _session.End(ehlo, "The server refused EHLO; nothing was sent");
            }

            // RFC 5321 4.1.4: a server that does not know EHLO still knows HELO.
            Channel.Log.Event("The server does not support EHLO; falling back to HELO.");
            SmtpReply helo = Channel.Exchange(SmtpCommand.Of("HELO " + heloName, SmtpStage.Helo));
            if (!Expect.Code(helo, 250))
            {
                throw _session.End(helo, "The server refused HELO; nothing was sent");
            }
        }
    }
}
