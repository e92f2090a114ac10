using System.Text;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>
    /// XOAUTH2 (Google, Microsoft): "user=U^Aauth=Bearer T^A^A" as the initial response. On failure the
    /// server sends a 334 with a base64 JSON error, which the client answers with an empty line before
    /// the final 5xx.
    /// </summary>
    internal sealed class XOAuth2Mechanism : SaslMechanism
    {
        private readonly SaslCredentials _credentials;

        public XOAuth2Mechanism(SaslCredentials credentials)
        {
            _credentials = credentials;
        }

        public override string Name => "XOAUTH2";

        public override byte[]? InitialResponse() =>
            Encoding.UTF8.GetBytes("user=" + _credentials.UserName + "\u0001auth=Bearer " + _credentials.AccessToken() + "\u0001\u0001");

        public override byte[] Respond(byte[] challenge, int index) => new byte[0];
    }
}
