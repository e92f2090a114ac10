using System.Collections.Generic;
using System.Net.Mail;
using System.Text;

namespace SmtpPs.Mime
{
    /// <summary>What New-MimeMessage was asked for, before anything is checked or built.</summary>
    internal sealed class MessageDraft
    {
        public List<AddressInput> From { get; } = new List<AddressInput>();

        public AddressInput? Sender { get; set; }

        public List<AddressInput> To { get; } = new List<AddressInput>();

        public List<AddressInput> Cc { get; } = new List<AddressInput>();

        public List<AddressInput> Bcc { get; } = new List<AddressInput>();

        public List<AddressInput> ReplyTo { get; } = new List<AddressInput>();

        public string? Subject { get; set; }

        /// <summary>The text/plain body, or null.</summary>
        public string? TextBody { get; set; }

        /// <summary>The text/html body, or null.</summary>
        public string? HtmlBody { get; set; }

        /// <summary>The charset of the bodies; UTF-8 when null.</summary>
        public Encoding? Encoding { get; set; }

        public MailPriority Priority { get; set; } = MailPriority.Normal;

        /// <summary>Full paths of the files to attach, in order.</summary>
        public List<string> Attachments { get; } = new List<string>();

        /// <summary>Inline images: the Content-ID the HTML refers to as cid:..., and the full path of the file.</summary>
        public List<KeyValuePair<string, string>> InlineImages { get; } = new List<KeyValuePair<string, string>>();

        /// <summary>Extra header fields, in order; a value is a string, a DateTime or a DateTimeOffset.</summary>
        public List<KeyValuePair<string, object>> Headers { get; } = new List<KeyValuePair<string, object>>();
    }

    /// <summary>One address as given: a text to parse ("Name &lt;addr&gt;", "addr", a list), or a name and an address.</summary>
    internal sealed class AddressInput
    {
        private AddressInput(string? text, string? name, string? address)
        {
            Text = text;
            Name = name;
            Address = address;
        }

        public string? Text { get; }

        public string? Name { get; }

        public string? Address { get; }

        public static AddressInput FromText(string text) => new AddressInput(text, null, null);

        public static AddressInput FromParts(string? name, string address) => new AddressInput(null, name, address);

        /// <summary>How the user gave it, for error messages.</summary>
        public override string ToString() => Text ?? (string.IsNullOrEmpty(Name) ? Address! : $"{Name} <{Address}>");
    }
}
