using System;
using System.IO;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// Throwaway certificates for the TLS tests: a test CA and server certificates it issues (valid,
    /// expired, for another name), and a self-signed one. Made fresh by each test run; never trusted by
    /// the machine unless a test adds the CA to the current user's store and removes it again.
    /// </summary>
    public static class TestCertificates
    {
        /// <summary>
        /// A CA whose subject is <paramref name="name"/> and a serial of its own (O=...), so that two CAs made with
        /// the same name (by another test run on the same machine, trusting its own into the same user store)
        /// are never taken for each other when a chain is built.
        /// </summary>
        public static X509Certificate2 CreateAuthority(string name = "SmtpPs Test CA")
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={name}, O=run {Guid.NewGuid():N}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
            request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
            return Exportable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-60), DateTimeOffset.UtcNow.AddDays(365)));
        }

        /// <summary>A server certificate for <paramref name="dnsName"/> (and 127.0.0.1 unless told not), issued by <paramref name="authority"/>.</summary>
        public static X509Certificate2 IssueServer(X509Certificate2 authority, string dnsName = "localhost", int validFromDays = -1, int validToDays = 30,
            bool includeLoopbackAddress = true)
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            if (includeLoopbackAddress)
            {
                names.AddIpAddress(IPAddress.Loopback);
            }

            request.CertificateExtensions.Add(names.Build());
            request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, false));
            request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
            request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension(new OidCollection { new Oid("1.3.6.1.5.5.7.3.1") }, false));
            var serial = new byte[16];
            RandomNumberGenerator.Fill(serial);
            serial[0] &= 0x7f;
            DateTimeOffset notBefore = DateTimeOffset.UtcNow.AddDays(validFromDays);
            DateTimeOffset notAfter = DateTimeOffset.UtcNow.AddDays(validToDays);
            using X509Certificate2 issued = request.Create(authority, notBefore, notAfter, serial);
            return Exportable(issued.CopyWithPrivateKey(key));
        }

        public static X509Certificate2 CreateSelfSigned(string dnsName = "localhost")
        {
            using var key = RSA.Create(2048);
            var request = new CertificateRequest($"CN={dnsName}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
            var names = new SubjectAlternativeNameBuilder();
            names.AddDnsName(dnsName);
            request.CertificateExtensions.Add(names.Build());
            return Exportable(request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(30)));
        }

        /// <summary>SHA-256 of the certificate, upper-case hex: what -CertificateThumbprint takes.</summary>
        public static string Sha256(X509Certificate2 certificate) => Convert.ToHexString(SHA256.HashData(certificate.RawData));

        /// <summary>Writes the certificate (with <paramref name="chain"/> after it) and its key as PEM files, for Postfix.</summary>
        public static void WritePem(X509Certificate2 certificate, string certificatePath, string keyPath, X509Certificate2? chain = null)
        {
            string pem = certificate.ExportCertificatePem() + "\n" + (chain == null ? string.Empty : chain.ExportCertificatePem() + "\n");
            File.WriteAllText(certificatePath, pem);
            using RSA key = certificate.GetRSAPrivateKey()!;
            File.WriteAllText(keyPath, key.ExportPkcs8PrivateKeyPem() + "\n");
        }

        /// <summary>Trusts <paramref name="authority"/> for this user (the test process), until <see cref="Distrust"/>.</summary>
        public static void Trust(X509Certificate2 authority)
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Add(X509CertificateLoader.LoadCertificate(authority.RawData));
        }

        public static void Distrust(X509Certificate2 authority)
        {
            using var store = new X509Store(StoreName.Root, StoreLocation.CurrentUser);
            store.Open(OpenFlags.ReadWrite);
            store.Remove(X509CertificateLoader.LoadCertificate(authority.RawData));
        }

        // Ephemeral keys cannot always serve TLS; a PKCS#12 round trip gives the certificate a stored key.
        private static X509Certificate2 Exportable(X509Certificate2 certificate)
        {
            using (certificate)
            {
                return X509CertificateLoader.LoadPkcs12(certificate.Export(X509ContentType.Pkcs12), null, X509KeyStorageFlags.Exportable);
            }
        }
    }
}
