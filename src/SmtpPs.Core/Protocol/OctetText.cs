using System.Text;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// Octets from the wire or a file as text: UTF-8 where they are valid UTF-8 (RFC 6531, RFC 6532),
    /// Latin-1 otherwise, so that every octet still shows as one character and nothing is lost.
    /// </summary>
    internal static class OctetText
    {
        private static readonly Encoding StrictUtf8 = new UTF8Encoding(false, throwOnInvalidBytes: true);
        private static readonly Encoding Latin1 = Encoding.GetEncoding(28591);

        public static string Decode(byte[] bytes, int offset, int count)
        {
            try
            {
                return StrictUtf8.GetString(bytes, offset, count);
            }
            catch (DecoderFallbackException)
            {
                return Latin1.GetString(bytes, offset, count);
            }
        }
    }
}
