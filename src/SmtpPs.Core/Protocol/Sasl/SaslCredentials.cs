using System.Net;
using System.Security;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>
    /// A user name with a password or an OAuth 2.0 access token. The secrets stay in SecureStrings and are
    /// turned into text only for the moment a response is built.
    /// </summary>
    internal sealed class SaslCredentials
    {
        private readonly SecureString? _password;
        private readonly SecureString? _accessToken;

        public SaslCredentials(string userName, SecureString? password, SecureString? accessToken)
        {
            UserName = userName;
            _password = password;
            _accessToken = accessToken;
        }

        public string UserName { get; }

        public bool HasAccessToken => _accessToken != null;

        public string Password() => _password == null ? string.Empty : new NetworkCredential(string.Empty, _password).Password;

        public string AccessToken() => _accessToken == null ? string.Empty : new NetworkCredential(string.Empty, _accessToken).Password;
    }
}
