namespace SmtpPs.Session
{
    /// <summary>
    /// STARTTLS (RFC 3207) when the server offers it. When TLS is required (by the TLS mode, or because
    /// credentials must not cross a plaintext link), a missing or refused STARTTLS ends the session
    /// before MAIL or AUTH; otherwise the session goes on without TLS, with a warning when TLS was declined.
    /// </summary>
    internal sealed class StartTlsNegotiation
    {
        private readonly SmtpSession _session;

        public StartTlsNegotiation(SmtpSession session)
        {
            _session = session;
        }

        /// <summary>True when TLS now protects the connection (EHLO must then be sent again).</summary>
        public bool Run()
        {
            SmtpChannel channel = _session.Channel;
            SessionOptions options = _session.Options;
            bool required = options.RequiresStartTls;
            if (!_session.Capabilities.StartTls)
            {
                if (required)
                {
                    // A STARTTLS stripped by someone in the middle looks exactly like this (RFC 3207 6).
                    throw _session.Fail(Required(SmtpTlsFailure.NotOffered,
                        $"TLS is required but {_session.ServerName} did not offer STARTTLS; nothing was sent.", null));
                }

                channel.Log.Event("The server does not offer STARTTLS; continuing without TLS.");
                return false;
            }

            SmtpReply reply = channel.Exchange(SmtpCommand.Of("STARTTLS", SmtpStage.StartTls));
            if (!Expect.Code(reply, 220))
            {
                if (ReplyClass.IsServiceClosing(reply.Code))
                {
                    throw _session.End(reply, "The server refused STARTTLS; nothing was sent");
                }

                if (required)
                {
                    throw _session.Fail(Required(SmtpTlsFailure.Refused,
                        $"TLS is required but the server answered STARTTLS with {reply.Code} {reply.Text}; nothing was sent.", reply));
                }

                channel.Log.Warning($"The server declined STARTTLS ({reply.Code} {reply.Text}); the messages go without TLS.");
                return false;
            }

            // Bytes after the 220 and before the handshake were not protected by TLS: whoever sent them is
            // in the middle (the STARTTLS command injection class, CVE-2011-0411, CVE-2021-22947). Never
            // parse them.
            if (channel.HasUnaskedInput)
            {
                throw new SmtpProtocolException(
                    "The server sent data after its 220 to STARTTLS and before the TLS handshake (STARTTLS command injection); the connection was closed.",
                    SmtpStage.StartTls, reply);
            }

            channel.StartTls(options.CertificatePolicy());
            _session.ForgetCapabilities();
            return true;
        }

        private SmtpTlsException Required(SmtpTlsFailure failure, string message, SmtpReply? reply) =>
            new SmtpTlsException(failure, message, reply: reply)
            {
                RequiredForCredentials = _session.Options.TlsMode != SmtpTlsMode.StartTls,
            };
    }
}
