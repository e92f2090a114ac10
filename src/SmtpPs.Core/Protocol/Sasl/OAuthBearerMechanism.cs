using System.Globalization;
using System.Text;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>
    /// OAUTHBEARER (RFC 7628): a GS2 header naming the user, host and port, and the bearer token. On
    /// failure the server sends a 334 with a base64 JSON error; the client answers with a single 0x01
    /// (RFC 7628 3.2.3) and then reads the final 5xx.
    /// </summary>
    internal sealed class OAuthBearerMechanism : SaslMechanism
    {
        private readonly SaslCredentials _credentials;
        private readonly string _host;
        private readonly int _port;

        public OAuthBearerMechanism(SaslCredentials credentials, string host, int port)
        {
            _credentials = credentials;
            _host = host;
            _port = port;
        }

        public override string Name => "OAUTHBEARER";

        public override byte[]? InitialResponse()
        {
            // RFC 5801 saslname: ',' and '=' are escaped.
            string user = _credentials.UserName.Replace("=", "=3D").Replace(",", "=2C");
            return Encoding.UTF8.GetBytes("n,a=" + user + ",\u0001host=" + _host + "\u0001port=" +
                _port.ToString(CultureInfo.InvariantCulture) + "\u0001auth=Bearer " + _credentials.AccessToken() + "\u0001\u0001");
        }

        public override byte[] Respond(byte[] challenge, int index) => new byte[] { 0x01 };
    }
}
