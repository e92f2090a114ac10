using System;

namespace SmtpPs.Protocol.Sasl
{
    /// <summary>
    /// RFC 4954 4: an AUTH response line (base64 and CRLF) is at most 12288 octets. Credentials whose
    /// responses cannot fit are refused before connecting, instead of failing half-way through AUTH.
    /// </summary>
    internal static class SaslLimits
    {
        /// <summary>Why the responses of <paramref name="credentials"/> cannot be sent, or null when every mechanism SmtpPs may choose fits.</summary>
        public static string? Check(SaslCredentials credentials, string host, int port)
        {
            System.Collections.Generic.IReadOnlyList<string> mechanisms = credentials.HasAccessToken
                ? SaslMechanism.TokenPreference
                : SaslMechanism.PasswordPreference;
            foreach (string name in mechanisms)
            {
                SaslMechanism mechanism = SaslMechanism.Create(name, credentials, host, port);
                byte[]? response = mechanism.InitialResponse() ?? mechanism.Respond(new byte[16], 1);
                int line = Base64Length(response.Length) + 2;
                if (line > CommandLine.MaxSaslLength)
                {
                    return $"The {name} response would be a {line}-octet line; SMTP AUTH allows {CommandLine.MaxSaslLength} (RFC 4954 4).";
                }
            }

            return null;
        }

        private static int Base64Length(int octets) => ((octets + 2) / 3) * 4;
    }
}
