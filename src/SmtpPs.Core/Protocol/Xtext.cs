using System.Text;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// xtext (RFC 3461 4): how free text goes into an ESMTP parameter. Every octet outside '!'..'~',
    /// and '+' and '=', becomes "+HH", so no value can hold a space, CR or LF (hazards: H-PARAM).
    /// </summary>
    internal static class Xtext
    {
        public static string Encode(string value)
        {
            var text = new StringBuilder();
            foreach (byte b in Encoding.UTF8.GetBytes(value))
            {
                if (b >= '!' && b <= '~' && b != '+' && b != '=')
                {
                    text.Append((char)b);
                }
                else
                {
                    text.Append('+').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
                }
            }

            return text.ToString();
        }
    }
}
