using System;
using System.Collections.Generic;
using System.Linq;
using System.Text;
using MimeKit;
using MimeKit.Utils;

namespace SmtpPs.Mime
{
    /// <summary>
    /// The rules on header fields, fed one unfolded field at a time: the required and single fields
    /// (RFC 5322 3.6), the syntax of addresses, dates and message identifiers, and 8-bit octets, which
    /// are allowed only in a message that needs SMTPUTF8 anyway because an address is not ASCII
    /// (RFC 6532). What needs the whole header block is decided at its end.
    /// </summary>
    internal sealed class HeaderFieldChecks
    {
        // RFC 5322 3.6, the table of fields: these occur at most once.
        private static readonly HashSet<string> Single = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "Date", "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Message-ID", "In-Reply-To", "References", "Subject",
        };

        private static readonly HashSet<string> AddressFields = new HashSet<string>(StringComparer.OrdinalIgnoreCase)
        {
            "From", "Sender", "Reply-To", "To", "Cc", "Bcc", "Resent-From", "Resent-Sender", "Resent-To", "Resent-Cc", "Resent-Bcc",
        };

        // Obsolete forms must still be read (RFC 5322 4), so addresses are parsed leniently; a domain is required.
        private static readonly ParserOptions Lenient = new ParserOptions
        {
            AddressParserComplianceMode = RfcComplianceMode.Loose,
            AllowAddressesWithoutDomain = false,
            AllowUnquotedCommasInAddresses = false,
        };

        private static readonly UTF8Encoding StrictUtf8 = new UTF8Encoding(false, true);

        private readonly bool _rawContent;
        private readonly Action<LintRule, int?, string> _add;
        private readonly Dictionary<string, int> _counts = new Dictionary<string, int>(StringComparer.OrdinalIgnoreCase);
        private readonly List<(string Name, int Line, bool Utf8)> _eightBit = new List<(string, int, bool)>();
        private int _fromLine;
        private int _fromMailboxes;
        private bool _internationalAddress;

        public HeaderFieldChecks(bool rawContent, Action<LintRule, int?, string> add)
        {
            _rawContent = rawContent;
            _add = add;
        }

        public string? MessageId { get; private set; }

        public void Check(string name, int line, byte[] value, int length)
        {
            _counts.TryGetValue(name, out int count);
            _counts[name] = ++count;
            bool eightBit = false;
            for (int i = 0; i < length && !eightBit; i++)
            {
                eightBit = value[i] >= 0x80;
            }

            string text;
            if (eightBit)
            {
                bool utf8 = TryUtf8(value, length, out text);
                _eightBit.Add((name, line, utf8));
            }
            else
            {
                text = Encoding.ASCII.GetString(value, 0, length);
            }

            if (count > 1 && Single.Contains(name))
            {
                if (string.Equals(name, "From", StringComparison.OrdinalIgnoreCase))
                {
                    _add(LintRule.FromDuplicated, line, $"A second From field (the first is on line {_fromLine}); several authors go in one From field, with a Sender field.");
                }
                else
                {
                    _add(LintRule.HeaderDuplicated, line, $"A second {name} field; it may occur only once.");
                }
            }

            if (AddressFields.Contains(name))
            {
                CheckAddresses(name, line, value, length);
            }
            else if (string.Equals(name, "Date", StringComparison.OrdinalIgnoreCase))
            {
                if (!DateUtils.TryParse(text, out DateTimeOffset _))
                {
                    _add(LintRule.DateMalformed, line, $"The Date field '{Shorten(text)}' is not a date-time such as 'Tue, 1 Jul 2025 10:00:00 +0200'.");
                }
            }
            else if (string.Equals(name, "Message-ID", StringComparison.OrdinalIgnoreCase))
            {
                if (MessageIdSyntax.IsMsgId(text))
                {
                    MessageId ??= text.Trim();
                }
                else
                {
                    _add(LintRule.MessageIdMalformed, line, $"The Message-ID '{Shorten(text)}' is not an identifier such as <unique-part@example.org>.");
                }
            }

            if (_rawContent && string.Equals(name, "Bcc", StringComparison.OrdinalIgnoreCase) && !IsBlank(value, length))
            {
                _add(LintRule.BccPresent, line, "The message has a Bcc field: sent as it is, it shows the blind copies to every recipient. Remove it and give those addresses as envelope recipients.");
            }
        }

        /// <summary>Called once, at the empty line that ends the header block or at the end of the message.</summary>
        public void EndOfHeaders()
        {
            if (!_counts.ContainsKey("From"))
            {
                _add(LintRule.FromMissing, null, "The message has no From field: every message names its author, and receivers refuse it without one.");
            }
            else if (_fromMailboxes > 1 && !_counts.ContainsKey("Sender"))
            {
                _add(LintRule.SenderRequired, _fromLine, $"From names {_fromMailboxes} authors; a Sender field must then name the one mailbox that sends it.");
            }

            if (!_counts.ContainsKey("Date"))
            {
                _add(LintRule.DateMissing, null, "The message has no Date field, which is required; receivers refuse or distrust it.");
            }

            if (!_counts.ContainsKey("Message-ID"))
            {
                _add(LintRule.MessageIdMissing, null, "The message has no Message-ID field; large receivers refuse messages without one.");
            }

            foreach ((string name, int line, bool utf8) in _eightBit)
            {
                if (!utf8)
                {
                    _add(LintRule.HeaderEightBit, line, $"The {name} field has 8-bit octets that are not UTF-8; header text beyond ASCII needs RFC 2047 encoded words.");
                }
                else if (!_internationalAddress)
                {
                    _add(LintRule.HeaderEightBit, line, $"The {name} field has UTF-8 text but no address needs SMTPUTF8, and servers without it refuse or mangle the message; use RFC 2047 encoded words (New-MimeMessage does).");
                }
            }
        }

        private void CheckAddresses(string name, int line, byte[] value, int length)
        {
            bool from = string.Equals(name, "From", StringComparison.OrdinalIgnoreCase);
            if (from && _fromLine == 0)
            {
                _fromLine = line;
            }

            bool empty = IsBlank(value, length);
            if (empty && (string.Equals(name, "Bcc", StringComparison.OrdinalIgnoreCase) || string.Equals(name, "Resent-Bcc", StringComparison.OrdinalIgnoreCase)))
            {
                return; // RFC 5322 3.6.3: an empty Bcc is allowed.
            }

            if (empty || !InternetAddressList.TryParse(Lenient, value, 0, length, out InternetAddressList? list))
            {
                _add(LintRule.AddressMalformed, line, $"The {name} field is not a list of addresses such as 'Name <user@example.org>'; quote a display name with a comma or a dot in it.");
                return;
            }

            List<MailboxAddress> mailboxes = list.Mailboxes.ToList();
            if (from && _fromMailboxes == 0)
            {
                _fromMailboxes = mailboxes.Count;
            }

            if (mailboxes.Any(m => !WireFormat.IsAscii(m.LocalPart)))
            {
                _internationalAddress = true;
            }
        }

        private static bool TryUtf8(byte[] value, int length, out string text)
        {
            try
            {
                text = StrictUtf8.GetString(value, 0, length);
                return true;
            }
            catch (DecoderFallbackException)
            {
                text = Encoding.GetEncoding(28591).GetString(value, 0, length);
                return false;
            }
        }

        private static bool IsBlank(byte[] value, int length)
        {
            for (int i = 0; i < length; i++)
            {
                if (value[i] != (byte)' ' && value[i] != (byte)'\t' && value[i] != (byte)'\r')
                {
                    return false;
                }
            }

            return true;
        }

        private static string Shorten(string text)
        {
            text = text.Trim();
            return text.Length <= 60 ? text : text.Substring(0, 57) + "...";
        }
    }
}
