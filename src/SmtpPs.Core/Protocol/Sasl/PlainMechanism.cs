using System.Text;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>PLAIN (RFC 4616): authzid NUL authcid NUL password, all in the initial response.</summary>
    internal sealed class PlainMechanism : SaslMechanism
    {
        private readonly SaslCredentials _credentials;

        public PlainMechanism(SaslCredentials credentials)
        {
            _credentials = credentials;
        }

        public override string Name => "PLAIN";

        public override byte[]? InitialResponse() => Encoding.UTF8.GetBytes("\0" + _credentials.UserName + "\0" + _credentials.Password());

        public override byte[] Respond(byte[] challenge, int index) => InitialResponse()!;
    }
}
