using System;
using System.IO;
using System.Reflection;
using System.Threading;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>
    /// A MimeKit MimeMessage that is not of SmtpPs's MimeKit: another version, or the same one loaded
    /// in another load context (say by another module). Its types are not ours, so it is driven by
    /// reflection through its own public API: it writes itself with its own FormatOptions, built the
    /// way WireFormat builds ours (CRLF, Bcc hidden); a MimeKit without that overload writes itself
    /// with WriteTo(Stream), and a message with Bcc is then refused rather than sent with it.
    /// </summary>
    internal sealed class ForeignMimeMessageSource : MimeSource
    {
        private readonly object _message;
        private readonly Type _type;

        public ForeignMimeMessageSource(object message)
        {
            _message = message;
            _type = message.GetType();
        }

        /// <summary>True when <paramref name="type"/> is, or derives from, a type named MimeKit.MimeMessage.</summary>
        public static bool IsMimeMessage(Type? type)
        {
            for (; type != null; type = type.BaseType)
            {
                if (type.FullName == "MimeKit.MimeMessage")
                {
                    return true;
                }
            }

            return false;
        }

        public override string Name => MessageNames.For(_type.GetProperty("MessageId")?.GetValue(_message) as string);

        /// <summary>The envelope, from its header fields read back by SmtpPs's MimeKit.</summary>
        public override EnvelopeDefaults Envelope => EnvelopeDefaults.For(HeadersAsOurs());

        public override void WriteTo(Stream destination, CancellationToken cancellationToken)
        {
            object? options = WireOptions();
            MethodInfo? withOptions = options == null ? null : _type.GetMethod("WriteTo", new[] { options.GetType(), typeof(Stream), typeof(CancellationToken) });
            if (withOptions != null)
            {
                Call(_message, withOptions, options, destination, cancellationToken);
                return;
            }

            if (HeadersAsOurs().Headers.Contains(HeaderId.Bcc))
            {
                throw new NotSupportedException($"This MimeKit MimeMessage ({_type.Assembly.GetName()}) cannot be written without its Bcc field, which would reveal the blind copies to every recipient. Remove the Bcc field and give those addresses as envelope recipients.");
            }

            MethodInfo plain = _type.GetMethod("WriteTo", new[] { typeof(Stream), typeof(CancellationToken) })
                ?? throw new NotSupportedException($"This MimeKit MimeMessage ({_type.Assembly.GetName()}) has no WriteTo(Stream, CancellationToken) method.");
            Call(_message, plain, destination, cancellationToken);
        }

        /// <summary>Its header fields, parsed by our MimeKit from the bytes its own MimeKit writes.</summary>
        private MimeMessage HeadersAsOurs()
        {
            object headers = _type.GetProperty("Headers")?.GetValue(_message)
                ?? throw new NotSupportedException($"This MimeKit MimeMessage ({_type.Assembly.GetName()}) has no Headers.");
            MethodInfo write = headers.GetType().GetMethod("WriteTo", new[] { typeof(Stream), typeof(CancellationToken) })
                ?? throw new NotSupportedException($"The header list of this MimeKit MimeMessage ({_type.Assembly.GetName()}) cannot be written.");
            using var buffer = new MemoryStream();
            Call(headers, write, buffer, CancellationToken.None);
            buffer.Write(new byte[] { (byte)'\r', (byte)'\n' }, 0, 2);
            buffer.Position = 0;
            return MimeMessage.Load(buffer);
        }

        /// <summary>Its own FormatOptions, set as <see cref="WireFormat"/> sets ours; null when its MimeKit lacks them.</summary>
        private object? WireOptions()
        {
            Assembly mimeKit = _type.Assembly;
            Type? optionsType = mimeKit.GetType("MimeKit.FormatOptions");
            Type? newLineType = mimeKit.GetType("MimeKit.NewLineFormat");
            Type? headerIdType = mimeKit.GetType("MimeKit.HeaderId");
            object? defaults = optionsType?.GetField("Default", BindingFlags.Public | BindingFlags.Static)?.GetValue(null);
            MethodInfo? clone = optionsType?.GetMethod("Clone", Type.EmptyTypes);
            if (optionsType == null || newLineType == null || headerIdType == null || defaults == null || clone == null)
            {
                return null;
            }

            try
            {
                object options = clone.Invoke(defaults, null)!;
                optionsType.GetProperty("NewLineFormat")!.SetValue(options, Enum.Parse(newLineType, "Dos"));
                optionsType.GetProperty("EnsureNewLine")?.SetValue(options, true);
                object hidden = optionsType.GetProperty("HiddenHeaders")!.GetValue(options)!;
                MethodInfo add = hidden.GetType().GetMethod("Add", new[] { headerIdType })!;
                foreach (string id in new[] { "Bcc", "ResentBcc" })
                {
                    add.Invoke(hidden, new[] { Enum.Parse(headerIdType, id) });
                }

                return options;
            }
            catch (Exception e) when (e is NullReferenceException || e is ArgumentException || e is TargetInvocationException)
            {
                return null;
            }
        }

        private static void Call(object target, MethodInfo method, params object?[] arguments)
        {
            try
            {
                method.Invoke(target, arguments);
            }
            catch (TargetInvocationException e) when (e.InnerException != null)
            {
                // The caller sees the message's own exception (an IOException of the destination, say).
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(e.InnerException).Throw();
            }
        }
    }
}
