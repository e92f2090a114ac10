using System;
using System.Collections;
using System.Collections.Generic;
using System.Management.Automation;
using SmtpPs.Mime;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Reads the addresses of -From, -To and the others: strings ("Name &lt;addr&gt;", "addr", or a
    /// comma-separated list) or objects that carry an address (a MimeKit MailboxAddress, a
    /// System.Net.Mail.MailAddress, an AD user with mail, a CSV row with Address or EmailAddress),
    /// and arrays of either.
    /// </summary>
    internal static class AddressArguments
    {
        private static readonly string[] AddressProperties = { "Address", "EmailAddress", "Mail" };
        private static readonly string[] NameProperties = { "DisplayName", "Name" };

        public static List<AddressInput> Read(string parameter, object? value)
        {
            var inputs = new List<AddressInput>();
            Add(parameter, value, inputs);
            return inputs;
        }

        private static void Add(string parameter, object? value, List<AddressInput> inputs)
        {
            object? bare = value is PSObject ps && !(ps.BaseObject is PSCustomObject) ? ps.BaseObject : value;
            switch (bare)
            {
                case null:
                    return;
                case string text:
                    inputs.Add(AddressInput.FromText(text));
                    return;
                case IEnumerable items when !HasAddress(value!):
                    foreach (object? item in items)
                    {
                        Add(parameter, item, inputs);
                    }

                    return;
            }

            PSObject wrapped = PSObject.AsPSObject(value!);
            string? address = FirstString(wrapped, AddressProperties);
            if (address == null)
            {
                throw new MessageDraftException("InvalidAddress",
                    $"-{parameter}: a {TypeName(wrapped)} is not an address. Give \"Name <user@example.org>\" strings, or objects with an Address (or EmailAddress, Mail) property and optionally a DisplayName or Name.",
                    value);
            }

            inputs.Add(AddressInput.FromParts(FirstString(wrapped, NameProperties), address));
        }

        private static bool HasAddress(object value) => FirstString(PSObject.AsPSObject(value), AddressProperties) != null;

        private static string? FirstString(PSObject value, string[] names)
        {
            foreach (string name in names)
            {
                PSPropertyInfo? property = value.Properties[name];
                object? content = property == null ? null : SafeValue(property);
                if (content is PSObject inner)
                {
                    content = inner.BaseObject;
                }

                if (content is string text && text.Length > 0)
                {
                    return text;
                }
            }

            return null;
        }

        private static object? SafeValue(PSPropertyInfo property)
        {
            try
            {
                return property.Value;
            }
            catch (GetValueException)
            {
                return null;
            }
        }

        private static string TypeName(PSObject value) => value.BaseObject is PSCustomObject
            ? "PSCustomObject without an Address property"
            : value.BaseObject.GetType().FullName ?? "value";
    }
}
