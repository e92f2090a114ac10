using System.Security.Cryptography;
using System.Text;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>CRAM-MD5 (RFC 2195): "user hex(HMAC-MD5(password, challenge))"; the password never crosses the wire.</summary>
    internal sealed class CramMd5Mechanism : SaslMechanism
    {
        private readonly SaslCredentials _credentials;

        public CramMd5Mechanism(SaslCredentials credentials)
        {
            _credentials = credentials;
        }

        public override string Name => "CRAM-MD5";

        public override byte[]? InitialResponse() => null;

        public override byte[] Respond(byte[] challenge, int index)
        {
            using var hmac = new HMACMD5(Encoding.UTF8.GetBytes(_credentials.Password()));
            byte[] digest = hmac.ComputeHash(challenge);
            var text = new StringBuilder(_credentials.UserName).Append(' ');
            foreach (byte b in digest)
            {
                text.Append(b.ToString("x2", System.Globalization.CultureInfo.InvariantCulture));
            }

            return Encoding.UTF8.GetBytes(text.ToString());
        }
    }
}
