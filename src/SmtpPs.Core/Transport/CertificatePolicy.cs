using System;
using System.Collections.Generic;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs.Transport
{
    /// <summary>
    /// How the server's certificate is judged: validated against the name the user gave (RFC 7817;
    /// never a name from DNS or the greeting), or pinned by its SHA-256, or not checked at all when the
    /// user opted out by name. Only this session's callback decides: never a process-wide one.
    /// </summary>
    internal sealed class CertificatePolicy
    {
        private readonly byte[]? _pinnedSha256;

        public CertificatePolicy(string serverName, bool skipCheck, string? pinnedSha256Hex)
        {
            ServerName = serverName;
            SkipCheck = skipCheck;
            _pinnedSha256 = pinnedSha256Hex == null ? null : ParseHex(pinnedSha256Hex);
        }

        /// <summary>The name the certificate must carry, and the SNI sent.</summary>
        public string ServerName { get; }

        public bool SkipCheck { get; }

        /// <summary>Why the last certificate was refused, in words for the error record.</summary>
        public string? Refusal { get; private set; }

        /// <summary>What was wrong with the last certificate refused, as flags for the hint the cmdlet gives.</summary>
        public SmtpCertificateProblems Problems { get; private set; }

        /// <summary>How the last certificate was accepted.</summary>
        public string Acceptance { get; private set; } = string.Empty;

        /// <summary>The last certificate the server presented, accepted or not: a probe reports it either way.</summary>
        public X509Certificate2? Presented { get; private set; }

        /// <summary>Returns the 32 bytes of a SHA-256 thumbprint in hex (spaces and colons allowed), or null.</summary>
        public static byte[]? ParseHex(string hex)
        {
            string clean = hex.Replace(":", string.Empty).Replace(" ", string.Empty);
            if (clean.Length != 64)
            {
                return null;
            }

            var bytes = new byte[32];
            for (int i = 0; i < 32; i++)
            {
                if (!byte.TryParse(clean.Substring(2 * i, 2), System.Globalization.NumberStyles.HexNumber, null, out bytes[i]))
                {
                    return null;
                }
            }

            return bytes;
        }

        public static string Sha256Hex(X509Certificate certificate)
        {
            using var sha = SHA256.Create();
            return BitConverter.ToString(sha.ComputeHash(certificate.GetRawCertData())).Replace("-", string.Empty);
        }

        public bool Validate(object sender, X509Certificate? certificate, X509Chain? chain, SslPolicyErrors errors)
        {
            Refusal = null;
            Problems = SmtpCertificateProblems.None;
            Presented = certificate == null ? null : new X509Certificate2(certificate);
            if (certificate == null)
            {
                Refusal = "the server sent no certificate";
                Problems = SmtpCertificateProblems.NoCertificate;
                return false;
            }

            if (_pinnedSha256 != null)
            {
                string actual = Sha256Hex(certificate);
                if (string.Equals(actual, BitConverter.ToString(_pinnedSha256).Replace("-", string.Empty), StringComparison.OrdinalIgnoreCase))
                {
                    Acceptance = "Pinned (its SHA-256 thumbprint matches)";
                    return true;
                }

                Refusal = $"its SHA-256 thumbprint {actual} is not the pinned one";
                Problems = SmtpCertificateProblems.NotPinned;
                return false;
            }

            if (SkipCheck)
            {
                Acceptance = errors == SslPolicyErrors.None ? "Skipped (not checked on request; it was valid)" : $"Skipped (not checked on request; {Describe(errors, chain)})";
                return true;
            }

            if (errors == SslPolicyErrors.None)
            {
                Acceptance = "Trusted";
                return true;
            }

            Refusal = Describe(errors, chain);
            Problems = Classify(errors, chain);
            return false;
        }

        private static SmtpCertificateProblems Classify(SslPolicyErrors errors, X509Chain? chain)
        {
            var problems = SmtpCertificateProblems.None;
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                problems |= SmtpCertificateProblems.NameMismatch;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                problems |= SmtpCertificateProblems.NoCertificate;
            }

            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                problems |= SmtpCertificateProblems.Untrusted;
                foreach (X509ChainStatus status in chain?.ChainStatus ?? new X509ChainStatus[0])
                {
                    if (status.Status == X509ChainStatusFlags.NotTimeValid)
                    {
                        problems |= SmtpCertificateProblems.Expired;
                    }
                }
            }

            return problems;
        }

        private string Describe(SslPolicyErrors errors, X509Chain? chain)
        {
            var reasons = new List<string>();
            if ((errors & SslPolicyErrors.RemoteCertificateNameMismatch) != 0)
            {
                IReadOnlyList<string> names = Presented == null ? new string[0] : CertificateNames.Of(Presented);
                reasons.Add(names.Count == 0
                    ? $"it is not valid for the name '{ServerName}'"
                    : $"it is not valid for the name '{ServerName}', only for {string.Join(", ", names)}");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateNotAvailable) != 0)
            {
                reasons.Add("the server sent no certificate");
            }

            if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0 && chain != null)
            {
                foreach (X509ChainStatus status in chain.ChainStatus)
                {
                    reasons.Add(status.Status switch
                    {
                        X509ChainStatusFlags.NotTimeValid => "it has expired or is not yet valid",
                        X509ChainStatusFlags.UntrustedRoot => "it is not issued by a trusted authority (untrusted root)",
                        X509ChainStatusFlags.PartialChain => "it is not issued by a trusted authority (incomplete chain)",
                        X509ChainStatusFlags.Revoked => "it has been revoked",
                        _ => $"{status.Status}: {status.StatusInformation.Trim()}",
                    });
                }
            }
            else if ((errors & SslPolicyErrors.RemoteCertificateChainErrors) != 0)
            {
                reasons.Add("its chain is not trusted");
            }

            return string.Join("; ", reasons);
        }
    }
}
