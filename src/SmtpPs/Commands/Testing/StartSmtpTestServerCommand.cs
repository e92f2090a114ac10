using System;
using System.Management.Automation;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography.X509Certificates;

namespace SmtpPs.Commands.Testing
{
    /// <summary>Start-SmtpTestServer: an SMTP server in this process that captures what clients send.</summary>
    [Cmdlet(VerbsLifecycle.Start, "SmtpTestServer", SupportsShouldProcess = true, ConfirmImpact = ConfirmImpact.Low)]
    [OutputType(typeof(SmtpTestServer))]
    public sealed class StartSmtpTestServerCommand : PSCmdlet
    {
        [Parameter]
        [ValidateRange(0, 65535)]
        public int Port { get; set; }

        [Parameter]
        [ValidateNotNullOrEmpty]
        public string Address { get; set; } = "127.0.0.1";

        [Parameter]
        public SmtpTestTlsMode Tls { get; set; } = SmtpTestTlsMode.None;

        [Parameter]
        [ValidateNotNull]
        public X509Certificate2? Certificate { get; set; }

        [Parameter]
        [ValidateNotNull]
        [Credential]
        public PSCredential? Credential { get; set; }

        [Parameter]
        [ValidateRange(0, long.MaxValue)]
        public long SizeLimit { get; set; }

        [Parameter]
        public SmtpTestExtension[] DisableExtension { get; set; } = new SmtpTestExtension[0];

        [Parameter]
        [ValidatePattern(@"^[A-Za-z0-9]([A-Za-z0-9.-]{0,252})$")]
        public string ServerName { get; set; } = "smtpps.test";

        protected override void EndProcessing()
        {
            if (!IPAddress.TryParse(Address, out IPAddress? address))
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"'{Address}' is not an IP address. Give an address such as 127.0.0.1 or ::1 (names are not resolved)."),
                    "InvalidListenAddress", ErrorCategory.InvalidArgument, Address));
            }

            if (Certificate != null && Tls == SmtpTestTlsMode.None)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Certificate is for TLS: add -Tls StartTls or -Tls Implicit."),
                    "CertificateWithoutTls", ErrorCategory.InvalidArgument, Certificate));
            }

            if (Certificate != null && !Certificate.HasPrivateKey)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException($"The certificate {Certificate.Subject} has no private key, so it cannot serve TLS. Give one with its key (a PFX), or leave -Certificate out to get a throwaway one."),
                    "CertificateHasNoPrivateKey", ErrorCategory.InvalidArgument, Certificate));
            }

            if (Credential != null && Array.IndexOf(DisableExtension, SmtpTestExtension.Auth) >= 0)
            {
                ThrowTerminatingError(new ErrorRecord(new ArgumentException("-Credential needs AUTH, which -DisableExtension turns off."),
                    "CredentialWithoutAuth", ErrorCategory.InvalidArgument, Credential));
            }

            var options = new SmtpTestServerOptions
            {
                Address = address!,
                Port = Port,
                ServerName = ServerName,
                Tls = Tls,
                Certificate = Certificate,
                DisabledExtensions = DisableExtension,
                SizeLimit = SizeLimit,
                Credential = Credential?.GetNetworkCredential(),
            };
            string where = (address!.AddressFamily == AddressFamily.InterNetworkV6 ? $"[{address}]" : address.ToString()) + ":" + (Port == 0 ? "(a free port)" : Port.ToString());
            if (!ShouldProcess(where, "Start an SMTP test server"))
            {
                return;
            }

            SmtpTestServer server;
            try
            {
                server = SmtpTestServer.Start(options);
            }
            catch (PlatformNotSupportedException e)
            {
                ThrowTerminatingError(new ErrorRecord(e, "SmtpTestServerNeedsPowerShell7", ErrorCategory.NotImplemented, null));
                return;
            }
            catch (SocketException e)
            {
                (string id, ErrorCategory category, string hint) = e.SocketErrorCode switch
                {
                    SocketError.AddressAlreadyInUse => ("SmtpTestPortInUse", ErrorCategory.ResourceUnavailable, "Leave -Port out to take a free port."),
                    SocketError.AddressNotAvailable => ("SmtpTestAddressNotAvailable", ErrorCategory.InvalidArgument, "Give an address of this machine, or leave -Address out for 127.0.0.1."),
                    SocketError.AccessDenied => ("SmtpTestPortAccessDenied", ErrorCategory.PermissionDenied, "Ports below 1024 need privileges; leave -Port out to take a free port."),
                    _ => ("SmtpTestServerStartFailed", ErrorCategory.OpenError, string.Empty),
                };
                ThrowTerminatingError(new ErrorRecord(new InvalidOperationException($"Cannot listen on {where}: {e.Message}. {hint}".TrimEnd(), e), id, category, where));
                return;
            }

            // A test that starts a server gets Should -HaveReceivedMail, when it runs under Pester.
            PesterOperators.Register(this);
            WriteVerbose($"SMTP test server #{server.Id} listens on {server.EndPoint}{(server.CertificateThumbprint != null ? $" with {Tls} TLS, certificate SHA-256 {server.CertificateThumbprint}" : string.Empty)}.");
            WriteObject(server);
        }
    }
}
