using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs.Transport
{
    /// <summary>
    /// The names a certificate is valid for: the DNS names and addresses of its subjectAltName
    /// (RFC 5280 4.2.1.6), or its subject's common name when it has none, so that a refusal for the wrong
    /// name can say which names would have been right.
    /// </summary>
    internal static class CertificateNames
    {
        private const string SubjectAltNameOid = "2.5.29.17";

        public static IReadOnlyList<string> Of(X509Certificate2 certificate)
        {
            var names = new List<string>();
            foreach (X509Extension extension in certificate.Extensions)
            {
                if (extension.Oid?.Value == SubjectAltNameOid)
                {
                    ReadGeneralNames(extension.RawData, names);
                }
            }

            if (names.Count == 0)
            {
                string common = certificate.GetNameInfo(X509NameType.SimpleName, forIssuer: false);
                if (!string.IsNullOrEmpty(common))
                {
                    names.Add(common);
                }
            }

            return names;
        }

        /// <summary>
        /// A DER SEQUENCE of GeneralName: [2] dNSName (IA5String) and [7] iPAddress (4 or 16 octets) are
        /// taken; other forms are skipped by their length. Malformed data ends the walk, never throws.
        /// </summary>
        private static void ReadGeneralNames(byte[] der, List<string> names)
        {
            int i = 0;
            if (der.Length < 2 || der[i++] != 0x30 || !ReadLength(der, ref i, out int sequenceLength))
            {
                return;
            }

            int end = System.Math.Min(der.Length, i + sequenceLength);
            while (i < end)
            {
                byte tag = der[i++];
                if (!ReadLength(der, ref i, out int length) || i + length > end)
                {
                    return;
                }

                if (tag == 0x82)
                {
                    names.Add(System.Text.Encoding.ASCII.GetString(der, i, length));
                }
                else if (tag == 0x87 && (length == 4 || length == 16))
                {
                    var octets = new byte[length];
                    System.Array.Copy(der, i, octets, 0, length);
                    names.Add(new IPAddress(octets).ToString());
                }

                i += length;
            }
        }

        private static bool ReadLength(byte[] der, ref int i, out int length)
        {
            length = 0;
            if (i >= der.Length)
            {
                return false;
            }

            int first = der[i++];
            if (first < 0x80)
            {
                length = first;
                return true;
            }

            int count = first & 0x7F;
            if (count == 0 || count > 3 || i + count > der.Length)
            {
                return false;
            }

            for (int k = 0; k < count; k++)
            {
                length = (length << 8) | der[i++];
            }

            return true;
        }
    }
}
