using System;
using System.Collections.Generic;
using System.Globalization;
using MimeKit;
using MimeKit.Utils;

namespace SmtpPs.Mime
{
    /// <summary>
    /// The header fields a user adds with -Header: any well-formed field, except those that a
    /// parameter sets, those that define the MIME structure, and trace fields that servers add. The
    /// fields that may occur once (RFC 5322 3.6) replace the composer's own value instead of repeating.
    /// </summary>
    internal static class ExtraHeaders
    {
        /// <summary>Longest field name accepted: "Name: " must fit a folded line (RFC 5322 2.1.1, 78 octets).</summary>
        public const int MaxNameLength = 76;

        private static readonly Dictionary<string, string> SetByParameter = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["From"] = "-From",
            ["Sender"] = "-Sender",
            ["To"] = "-To",
            ["Cc"] = "-Cc",
            ["Bcc"] = "-Bcc",
            ["Reply-To"] = "-ReplyTo",
            ["Subject"] = "-Subject",
            ["MIME-Version"] = "-Body, -HtmlBody and -Attachments (the MIME structure)",
        };

        /// <summary>Fields that SMTP servers add on the way (RFC 5321 4.4); a message does not start with them.</summary>
        private static readonly Dictionary<string, string> AddedByServers = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["Received"] = "every server adds its own Received field (RFC 5321 4.4).",
            ["Return-Path"] = "the final server writes it from the envelope sender (RFC 5321 4.4); the bounce address is Send-RawSmtpMail's -From.",
        };

        /// <summary>Single fields (RFC 5322 3.6) that -Header may set, replacing the composer's own.</summary>
        public static readonly string[] Replaceable = { "Date", "Message-ID", "In-Reply-To", "References" };

        /// <summary>Why the field <paramref name="name"/> cannot be added, or null.</summary>
        public static string? WhyRefused(string name)
        {
            if (name.Length == 0 || name.Length > MaxNameLength)
            {
                return $"a field name has 1 to {MaxNameLength} characters.";
            }

            foreach (char c in name)
            {
                // RFC 5322 3.6.8: printable US-ASCII except ':'.
                if (c < '!' || c > '~' || c == ':')
                {
                    return "a field name has printable US-ASCII characters only, no space and no ':' (RFC 5322 3.6.8).";
                }
            }

            if (SetByParameter.TryGetValue(name, out string? parameter))
            {
                return $"it is set by {parameter}.";
            }

            if (name.StartsWith("Content-", StringComparison.OrdinalIgnoreCase))
            {
                return "Content- fields describe the MIME structure that New-MimeMessage builds (RFC 2045); use -Body, -HtmlBody, -Attachments and -Encoding.";
            }

            if (name.StartsWith("Resent-", StringComparison.OrdinalIgnoreCase))
            {
                return "Resent- fields belong to a message that is resent as it is (RFC 5322 3.6.6), not to a new one.";
            }

            if (AddedByServers.TryGetValue(name, out string? why))
            {
                return why;
            }

            return null;
        }

        public static bool IsReplaceable(string name) => Array.Exists(Replaceable, r => string.Equals(r, name, StringComparison.OrdinalIgnoreCase));

        /// <summary>Why a text value cannot be written in a field, or null: a line break would start another field.</summary>
        public static string? WhyValueRefused(string value)
        {
            foreach (char c in value)
            {
                if (c == '\r' || c == '\n')
                {
                    return "a value cannot hold a line break: it would start another header field. Long values are folded for you.";
                }

                if (c < ' ' && c != '\t' || c == '\u007f')
                {
                    return $"a value cannot hold the control character U+{(int)c:X4}.";
                }
            }

            return null;
        }

        /// <summary>A Date value: a DateTime, a DateTimeOffset, or a date-time in RFC 5322 or ISO 8601 form.</summary>
        public static bool TryDate(object value, out DateTimeOffset date)
        {
            switch (value)
            {
                case DateTimeOffset d:
                    date = d;
                    return true;
                case DateTime d:
                    date = new DateTimeOffset(d.Kind == DateTimeKind.Unspecified ? DateTime.SpecifyKind(d, DateTimeKind.Local) : d);
                    return true;
                case string s:
                    return DateUtils.TryParse(s, out date) ||
                        DateTimeOffset.TryParse(s, CultureInfo.InvariantCulture, DateTimeStyles.AssumeLocal, out date);
                default:
                    date = default;
                    return false;
            }
        }

        /// <summary>The text of a value that is not a date: strings as they are, numbers in the invariant culture.</summary>
        public static string Text(object value) => value is IFormattable formattable
            ? formattable.ToString(null, CultureInfo.InvariantCulture)
            : value.ToString() ?? string.Empty;

        /// <summary>Strips the angle brackets MimeKit adds itself.</summary>
        public static string BareId(string msgId) => msgId.Trim().TrimStart('<').TrimEnd('>');

        /// <summary>The msg-ids of an In-Reply-To or References value, bare.</summary>
        public static IEnumerable<string> BareIds(string value)
        {
            foreach (string id in value.Replace("\t", " ").Replace(">", "> ").Split(new[] { ' ' }, StringSplitOptions.RemoveEmptyEntries))
            {
                yield return BareId(id);
            }
        }

        public static Header Unstructured(string name, string value) => new Header(System.Text.Encoding.UTF8, name, value);
    }
}
