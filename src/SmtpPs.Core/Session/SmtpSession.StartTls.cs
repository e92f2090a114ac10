using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>TLS for the session: implicit from the first byte, or STARTTLS (RFC 3207).</summary>
    internal sealed partial class SmtpSession
    {
        /// <summary>
        /// STARTTLS when the server offers it. Required (by -TlsMode StartTls, or because credentials must
        /// not cross a plaintext link), a missing or refused STARTTLS ends the session before MAIL or AUTH.
        /// </summary>
        private void NegotiateStartTls(string heloName)
        {
            bool required = _options.RequiresStartTls;
            Guard(() =>
            {
                if (!_capabilities.ContainsKey("STARTTLS"))
                {
                    if (required)
                    {
                        // RELIABILITY row 23: a stripped STARTTLS looks exactly like this.
                        Fail(new SmtpTlsException(SmtpTlsFailure.NotOffered,
                            $"TLS is required ({RequiredBecause()}) but {ServerName} did not offer STARTTLS; nothing was sent."));
                    }

                    Narrate("The server does not offer STARTTLS; continuing without TLS.");
                    return;
                }

                SmtpReply reply = Exchange("STARTTLS", SmtpStage.StartTls, null);
                if (!IsExpected(reply, 220))
                {
                    if (ReplyClass.IsServiceClosing(reply.Code))
                    {
                        EndSession(reply, "The server refused STARTTLS; nothing was sent");
                    }

                    if (required)
                    {
                        // RELIABILITY row 24.
                        Fail(new SmtpTlsException(SmtpTlsFailure.Refused,
                            $"TLS is required ({RequiredBecause()}) but the server answered STARTTLS with {reply.Code} {reply.Text}; nothing was sent.",
                            reply: reply));
                    }

                    _observer.OnWarning($"The server declined STARTTLS ({reply.Code} {reply.Text}); the messages go without TLS.");
                    return;
                }

                // RELIABILITY rows 20-21 (CVE-2011-0411, CVE-2021-22947): bytes after the 220 and before the
                // handshake were not protected by TLS; whoever sent them is in the middle. Never parse them.
                if (_reader.HasBufferedInput || _transport.HasPendingInput)
                {
                    throw new SmtpProtocolException(
                        "The server sent data after its 220 to STARTTLS and before the TLS handshake (STARTTLS command injection); the connection was closed.",
                        SmtpStage.StartTls, reply);
                }

                Handshake();

                // RFC 3207 4.2: forget everything learnt before TLS and ask again.
                _capabilities.Clear();
            });

            if (_tls != null)
            {
                Introduce(heloName);
            }
        }

        private void Handshake()
        {
            CertificatePolicy policy = _options.CertificatePolicy();
            _tls = _transport.StartTls(policy, Deadline.After(_timeouts.StartTls, SmtpStage.StartTls));
            Narrate("TLS established: " + _tls);
        }

        private string RequiredBecause() => _options.TlsMode == SmtpTlsMode.StartTls
            ? "-TlsMode StartTls"
            : "credentials are never sent without TLS unless -AllowUnencryptedAuthentication is given";
    }
}
