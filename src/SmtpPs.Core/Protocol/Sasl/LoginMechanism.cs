using System.Text;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>LOGIN (draft-murchison-sasl-login): the user name to the first challenge, the password to the second.</summary>
    internal sealed class LoginMechanism : SaslMechanism
    {
        private readonly SaslCredentials _credentials;

        public LoginMechanism(SaslCredentials credentials)
        {
            _credentials = credentials;
        }

        public override string Name => "LOGIN";

        public override byte[]? InitialResponse() => null;

        // The challenges say "Username:" and "Password:", but servers word them differently: go by order.
        public override byte[] Respond(byte[] challenge, int index) =>
            Encoding.UTF8.GetBytes(index == 0 ? _credentials.UserName : _credentials.Password());
    }
}
