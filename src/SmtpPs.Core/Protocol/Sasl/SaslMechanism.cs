using System;
using System.Collections.Generic;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>
    /// One SASL mechanism for SMTP AUTH (RFC 4954): an optional initial response, then one response per
    /// 334 challenge. Works on bytes; base64 and the wire belong to the session.
    /// </summary>
    internal abstract class SaslMechanism
    {
        /// <summary>The name as advertised after AUTH, upper case.</summary>
        public abstract string Name { get; }

        /// <summary>The initial response sent with the AUTH command, or null for none.</summary>
        public abstract byte[]? InitialResponse();

        /// <summary>The answer to the <paramref name="index"/>-th (0-based) challenge.</summary>
        public abstract byte[] Respond(byte[] challenge, int index);

        /// <summary>The mechanisms SmtpPs implements, best first, for a password or for a bearer token.</summary>
        public static readonly IReadOnlyList<string> PasswordPreference = new[] { "CRAM-MD5", "PLAIN", "LOGIN" };

        public static readonly IReadOnlyList<string> TokenPreference = new[] { "OAUTHBEARER", "XOAUTH2" };

        public static SaslMechanism Create(string name, SaslCredentials credentials, string host, int port) => name switch
        {
            "PLAIN" => new PlainMechanism(credentials),
            "LOGIN" => new LoginMechanism(credentials),
            "CRAM-MD5" => new CramMd5Mechanism(credentials),
            "XOAUTH2" => new XOAuth2Mechanism(credentials),
            "OAUTHBEARER" => new OAuthBearerMechanism(credentials, host, port),
            _ => throw new ArgumentException($"SmtpPs does not implement the SASL mechanism {name}."),
        };
    }
}
