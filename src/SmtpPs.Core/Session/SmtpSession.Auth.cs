using System;
using System.Collections.Generic;
using System.Linq;
using SmtpPs.Protocol;
using SmtpPs.Protocol.Sasl;

namespace SmtpPs.Session
{
    /// <summary>AUTH (RFC 4954) with the strongest mechanism both sides know, secrets redacted everywhere.</summary>
    internal sealed partial class SmtpSession
    {
        /// <summary>CPython's _MAXCHALLENGE: more 334s than this is a server playing games (RELIABILITY row 31).</summary>
        private const int MaxChallenges = 5;

        private const string Redacted = "***";

        private void Authenticate(SaslCredentials credentials)
        {
            Guard(() =>
            {
                if (!_transport.IsEncrypted && !_options.AllowUnencryptedAuthentication)
                {
                    Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.Unencrypted,
                        "The connection is not encrypted, so the credentials were not sent; give -AllowUnencryptedAuthentication to send them anyway."));
                }

                // RELIABILITY rows 22 and 29: only what the server advertised after TLS counts.
                if (!_capabilities.TryGetValue("AUTH", out string? offered))
                {
                    Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.NotOffered,
                        $"Credentials were given but {ServerName} does not offer AUTH; nothing was sent unauthenticated."));
                }

                string? name = ChooseMechanism(offered!, credentials, out string why);
                if (name == null)
                {
                    Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.NoCommonMechanism, why));
                }

                Run(SaslMechanism.Create(name!, credentials, _options.TlsServerName ?? _options.Server, _options.Port), credentials);
            });
        }

        private string? ChooseMechanism(string offered, SaslCredentials credentials, out string why)
        {
            var advertised = new HashSet<string>(offered.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(m => m.ToUpperInvariant()));
            IReadOnlyList<string> ours = credentials.HasAccessToken ? SaslMechanism.TokenPreference : SaslMechanism.PasswordPreference;
            string? forced = _options.AuthenticationMechanism;
            if (forced != null)
            {
                why = $"-AuthenticationMechanism {forced} was asked for, but {ServerName} offers only AUTH {offered}; nothing was sent.";
                return advertised.Contains(forced) ? forced : null;
            }

            // No silent downgrade (RELIABILITY row 30): the strongest one offered, and only from the post-TLS list.
            why = $"{ServerName} offers AUTH {offered}, none of which SmtpPs can use with {(credentials.HasAccessToken ? "an access token" : "a password")} ({string.Join(", ", ours)}); nothing was sent.";
            return ours.FirstOrDefault(advertised.Contains);
        }

        private void Run(SaslMechanism mechanism, SaslCredentials credentials)
        {
            byte[]? pending = mechanism.InitialResponse();
            string command = "AUTH " + mechanism.Name;
            if (pending != null)
            {
                string withResponse = command + " " + (pending.Length == 0 ? "=" : Convert.ToBase64String(pending));
                if (CommandLine.Check(withResponse) == null)
                {
                    // RFC 4954 4: the initial response goes with the command when the line allows it.
                    command = withResponse;
                    pending = null;
                }
            }

            string shown = command.Length > ("AUTH " + mechanism.Name).Length ? $"AUTH {mechanism.Name} {Redacted}" : command;
            SmtpReply reply = Exchange(command, shown, SmtpStage.Auth, null);
            int challenges = 0;
            while (reply.Code == 334)
            {
                if (challenges == MaxChallenges)
                {
                    Cancel($"The server sent more than {MaxChallenges} AUTH challenges.");
                }

                byte[] challenge = DecodeChallenge(reply);
                byte[] response = pending ?? mechanism.Respond(challenge, challenges);
                pending = null;
                challenges++;
                reply = Exchange(CommandLine.EncodeSaslResponse(Convert.ToBase64String(response)), Redacted, SmtpStage.Auth, null);
            }

            if (IsExpected(reply, 235))
            {
                Narrate($"Authenticated as {credentials.UserName} with {mechanism.Name}.");
                return;
            }

            EndSession(reply, $"The server refused to authenticate {credentials.UserName} with {mechanism.Name}; nothing was sent");
        }

        private byte[] DecodeChallenge(SmtpReply reply)
        {
            string text = reply.Lines[0].Trim();
            try
            {
                return Convert.FromBase64String(text);
            }
            catch (FormatException)
            {
                Cancel("The server sent an AUTH challenge that is not base64.");
                throw; // not reached: Cancel always throws
            }
        }

        /// <summary>RFC 4954 4: "*" cancels the exchange; then the session cannot be trusted further.</summary>
        private void Cancel(string why)
        {
            try
            {
                Exchange(CommandLine.EncodeSaslResponse("*"), "*", SmtpStage.Auth, null);
            }
            catch (SmtpException)
            {
            }

            throw new SmtpProtocolException(why + " The exchange was cancelled and the connection closed.", SmtpStage.Auth);
        }
    }
}
