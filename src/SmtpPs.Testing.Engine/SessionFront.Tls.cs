using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Threading.Tasks;

namespace SmtpPs.Testing.Engine
{
    /// <summary>TLS is the front's: STARTTLS (RFC 3207) after SmtpServer's 220, or implicit TLS from the first byte.</summary>
    internal sealed partial class SessionFront
    {
        private async Task<bool> StartTlsAsync(byte[] raw)
        {
            if (_options.Tls != SmtpTestTlsMode.StartTls || IsSecure)
            {
                return Give(IsSecure ? new Reply(503, "5.5.1 TLS is already active") : new Reply(502, "5.5.1 STARTTLS is not offered"));
            }

            Reply? reply = await StageAsync(SmtpStage.StartTls, string.Empty, null, () => ForwardAsync(raw)).ConfigureAwait(false);
            if (reply == null || reply.Code != 220)
            {
                return Give(reply);
            }

            EndTransaction(SmtpTestOutcome.Aborted);
            Give(reply);
            await FlushAsync().ConfigureAwait(false);
            if (_reader.Buffered > 0)
            {
                // RFC 3207 5 / CVE-2011-0411: what came before the handshake must not be read as commands.
                _connection.Log(SmtpLogKind.Warning, $"{_reader.Buffered} octets the client sent after STARTTLS, before the handshake, were discarded");
                _reader.Discard();
            }

            // RFC 3207 4.2: everything learnt before TLS is forgotten.
            _connection.HeloName = null;
            return await HandshakeAsync().ConfigureAwait(false);
        }

        private async Task<bool> HandshakeAsync()
        {
            var ssl = new SslStream(_stream, leaveInnerStreamOpen: false);
            try
            {
                await ssl.AuthenticateAsServerAsync(new SslServerAuthenticationOptions
                {
                    ServerCertificate = _server.Certificate,
                    ClientCertificateRequired = false,
                    CertificateRevocationCheckMode = System.Security.Cryptography.X509Certificates.X509RevocationMode.NoCheck,
                }, Cancel).ConfigureAwait(false);
            }
            catch (Exception e) when (e is AuthenticationException || e is IOException)
            {
                _connection.Log(SmtpLogKind.Error, "TLS handshake failed: " + e.Message);
                _tls.TrySetException(e);
                ssl.Dispose();
                return false;
            }

            _ssl = ssl;
            _stream = ssl;
            _reader.Stream = ssl;
            _connection.TlsProtocol = ssl.SslProtocol.ToString();
            _connection.Log(SmtpLogKind.Event, $"TLS established: {ssl.SslProtocol}, {ssl.CipherAlgorithm}");
            _tls.TrySetResult(true);
            return true;
        }
    }
}
