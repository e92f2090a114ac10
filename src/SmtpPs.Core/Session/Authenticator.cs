using System;
using System.Collections.Generic;
using System.Linq;
using SmtpPs.Protocol;
using SmtpPs.Protocol.Sasl;

namespace SmtpPs.Session
{
    /// <summary>AUTH (RFC 4954) with the strongest mechanism both sides know; secrets never reach a reply, the log or an error.</summary>
    internal sealed class Authenticator
    {
        /// <summary>More 334s than this is a server playing games (CPython's smtplib stops at the same number).</summary>
        private const int MaxChallenges = 5;

        private const string Redacted = "***";

        private readonly SmtpSession _session;
        private readonly SaslCredentials _credentials;

        public Authenticator(SmtpSession session, SaslCredentials credentials)
        {
            _session = session;
            _credentials = credentials;
        }

        private SmtpChannel Channel => _session.Channel;

        public void Run()
        {
            SessionOptions options = _session.Options;
            if (!Channel.IsEncrypted && !options.AllowUnencryptedAuthentication)
            {
                throw _session.Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.Unencrypted,
                    "The connection is not encrypted, so the credentials were not sent."));
            }

            // Only what the server advertised after TLS counts (RFC 3207 4.2), and no AUTH means none at all.
            string? offered = _session.Capabilities.Auth;
            if (offered == null)
            {
                throw _session.Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.NotOffered,
                    $"Credentials were given but {_session.ServerName} does not offer AUTH; nothing was sent unauthenticated."));
            }

            string? name = Choose(offered, out string why);
            if (name == null)
            {
                throw _session.Fail(new SmtpAuthenticationException(SmtpAuthenticationFailure.NoCommonMechanism, why));
            }

            Exchange(SaslMechanism.Create(name, _credentials, options.TlsServerName ?? options.Server, options.Port));
        }

        private string? Choose(string offered, out string why)
        {
            var advertised = new HashSet<string>(offered.Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries)
                .Select(m => m.ToUpperInvariant()));
            IReadOnlyList<string> ours = _credentials.HasAccessToken ? SaslMechanism.TokenPreference : SaslMechanism.PasswordPreference;
            string? forced = _session.Options.AuthenticationMechanism;
            if (forced != null)
            {
                why = $"The mechanism {forced} was asked for, but {_session.ServerName} offers only AUTH {offered}; nothing was sent.";
                return advertised.Contains(forced) ? forced : null;
            }

            // No silent downgrade: the strongest one offered, and only from the list after TLS.
            why = $"{_session.ServerName} offers AUTH {offered}, none of which SmtpPs can use with {(_credentials.HasAccessToken ? "an access token" : "a password")} ({string.Join(", ", ours)}); nothing was sent.";
            return ours.FirstOrDefault(advertised.Contains);
        }

        private void Exchange(SaslMechanism mechanism)
        {
            byte[]? pending = mechanism.InitialResponse();
            string command = "AUTH " + mechanism.Name;
            string shown = command;
            if (pending != null)
            {
                string withResponse = command + " " + (pending.Length == 0 ? "=" : Convert.ToBase64String(pending));
                if (CommandLine.Check(withResponse) == null)
                {
                    // RFC 4954 4: the initial response goes with the command when the line allows it.
                    command = withResponse;
                    shown = $"AUTH {mechanism.Name} {Redacted}";
                    pending = null;
                }
            }

            SmtpReply reply = Channel.Exchange(SmtpCommand.Redacted(command, shown, SmtpStage.Auth));
            int challenges = 0;
            while (reply.Code == 334)
            {
                if (challenges == MaxChallenges)
                {
                    Cancel($"The server sent more than {MaxChallenges} AUTH challenges.");
                }

                byte[] challenge = Decode(reply);
                byte[] response = pending ?? mechanism.Respond(challenge, challenges);
                pending = null;
                challenges++;
                reply = Channel.Exchange(SmtpCommand.SaslResponse(Convert.ToBase64String(response), Redacted));
            }

            if (Expect.Code(reply, 235))
            {
                Channel.Log.Event($"Authenticated as {_credentials.UserName} with {mechanism.Name}.");
                return;
            }

            throw _session.End(reply, $"The server refused to authenticate {_credentials.UserName} with {mechanism.Name}; nothing was sent");
        }

        private byte[] Decode(SmtpReply reply)
        {
            try
            {
                return Convert.FromBase64String(reply.Lines[0].Trim());
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
                Channel.Exchange(SmtpCommand.SaslResponse("*", "*"));
            }
            catch (SmtpException)
            {
            }

            throw new SmtpProtocolException(why + " The exchange was cancelled and the connection closed.", SmtpStage.Auth);
        }
    }
}
