using System.Runtime.CompilerServices;
using MimeKit;

namespace SmtpPs.Mime
{
    /// <summary>
    /// Recognises the message objects SmtpPs can write: a ComposedMessage, a MimeKit MimeMessage of
    /// SmtpPs's MimeKit, or one of another MimeKit. It looks at type names first, so that asking about
    /// a string, a byte array or a file never loads MimeKit (a scheduled script's cold start).
    /// </summary>
    internal static class MimeSources
    {
        /// <summary>The message <paramref name="value"/> holds, or null when it is not a MIME object.</summary>
        public static MimeSource? TryGet(object? value)
        {
            if (value is ComposedMessage composed)
            {
                return composed.Source;
            }

            if (value == null || !ForeignMimeMessageSource.IsMimeMessage(value.GetType()))
            {
                return null;
            }

            return OursOrForeign(value);
        }

        [MethodImpl(MethodImplOptions.NoInlining)]
        private static MimeSource OursOrForeign(object value) => value is MimeMessage ours
            ? new MimeKitMessageSource(ours)
            : new ForeignMimeMessageSource(value);
    }
}
