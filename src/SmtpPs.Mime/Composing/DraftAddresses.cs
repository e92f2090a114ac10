using System.Collections.Generic;
using MimeKit;
using SmtpPs.Session;

namespace SmtpPs.Mime
{
    /// <summary>
    /// Turns the addresses a user gave into MimeKit addresses, strictly (RFC 5322 3.4): a display name
    /// with a comma or another special must be quoted, and every address needs a domain. Each address
    /// also passes the envelope rules (RFC 5321 4.1.2, 4.5.3.1), since the envelope is made from them.
    /// </summary>
    internal static class DraftAddresses
    {
        private static readonly ParserOptions Strict = new ParserOptions
        {
            AddressParserComplianceMode = RfcComplianceMode.Strict,
            AllowAddressesWithoutDomain = false,
            AllowUnquotedCommasInAddresses = false,
        };

        private const string Hint = "Give \"user@example.org\" or \"Name <user@example.org>\"; put a display name with a comma, a dot or another special character in double quotes: '\"Doe, Jane\" <jane@example.org>'.";

        /// <summary>Every address of <paramref name="inputs"/>; groups only where <paramref name="allowGroups"/>.</summary>
        public static InternetAddressList Parse(string parameter, IEnumerable<AddressInput> inputs, bool allowGroups)
        {
            var list = new InternetAddressList();
            foreach (AddressInput input in inputs)
            {
                foreach (InternetAddress address in ParseOne(parameter, input))
                {
                    if (address is GroupAddress group)
                    {
                        if (!allowGroups)
                        {
                            throw Invalid(parameter, input, "a group is not allowed here; give mailboxes.");
                        }

                        foreach (MailboxAddress member in group.Members.Mailboxes)
                        {
                            Check(parameter, input, member);
                        }
                    }
                    else
                    {
                        Check(parameter, input, (MailboxAddress)address);
                    }

                    list.Add(address);
                }
            }

            return list;
        }

        /// <summary>Exactly one mailbox (for -Sender).</summary>
        public static MailboxAddress ParseMailbox(string parameter, AddressInput input)
        {
            InternetAddressList list = Parse(parameter, new[] { input }, allowGroups: false);
            if (list.Count != 1)
            {
                throw Invalid(parameter, input, "give exactly one address.");
            }

            return (MailboxAddress)list[0];
        }

        private static IEnumerable<InternetAddress> ParseOne(string parameter, AddressInput input)
        {
            if (input.Text != null)
            {
                if (!InternetAddressList.TryParse(Strict, input.Text, out InternetAddressList? parsed) || parsed.Count == 0)
                {
                    throw Invalid(parameter, input, "it is not an address or a list of addresses.");
                }

                return parsed;
            }

            // A name and an address given apart: the address alone must be a bare addr-spec.
            if (string.IsNullOrEmpty(input.Address) ||
                !MailboxAddress.TryParse(Strict, input.Address, out MailboxAddress? bare) ||
                !string.IsNullOrEmpty(bare.Name) ||
                bare.Route.Count > 0 ||
                input.Address!.IndexOf('<') >= 0)
            {
                throw Invalid(parameter, input, "its address part is not a bare address such as user@example.org.");
            }

            return new[] { new MailboxAddress(input.Name ?? string.Empty, bare.Address) };
        }

        private static void Check(string parameter, AddressInput input, MailboxAddress mailbox)
        {
            string? problem = MailboxRules.CheckRecipient(EnvelopeDefaults.Address(mailbox));
            if (problem != null)
            {
                throw Invalid(parameter, input, problem);
            }
        }

        private static MessageDraftException Invalid(string parameter, AddressInput input, string problem) =>
            new MessageDraftException("InvalidAddress", $"-{parameter} '{input}': {problem} {Hint}", input.ToString());
    }
}
