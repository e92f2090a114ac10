using System;

namespace SmtpPs
{
    /// <summary>Base of every failure of the dialogue itself (not of a parameter).</summary>
    public abstract class SmtpException : Exception
    {
        protected SmtpException(string message, SmtpStage stage, Exception? inner = null)
            : base(message, inner)
        {
            Stage = stage;
        }

        /// <summary>The step of the dialogue that failed.</summary>
        public SmtpStage Stage { get; }
    }

    /// <summary>The server broke the protocol: a malformed reply, an unexpected code, bytes nobody asked for.</summary>
    public sealed class SmtpProtocolException : SmtpException
    {
        public SmtpProtocolException(string message, SmtpStage stage, SmtpReply? reply = null)
            : base(message, stage)
        {
            Reply = reply;
        }

        /// <summary>The offending reply, when it could be parsed at all.</summary>
        public SmtpReply? Reply { get; }
    }

    /// <summary>A stage did not finish within its deadline.</summary>
    public sealed class SmtpTimeoutException : SmtpException
    {
        public SmtpTimeoutException(SmtpStage stage, TimeSpan timeout)
            : base($"The server did not answer within {timeout.TotalSeconds:0.###} s ({stage}).", stage)
        {
            Timeout = timeout;
        }

        public TimeSpan Timeout { get; }
    }

    /// <summary>No connection could be made, or the one there was broke.</summary>
    public sealed class SmtpConnectionException : SmtpException
    {
        public SmtpConnectionException(string message, SmtpStage stage, Exception? inner = null, bool nameNotResolved = false)
            : base(message, stage, inner)
        {
            NameNotResolved = nameNotResolved;
        }

        /// <summary>True when DNS had no address for the server name.</summary>
        public bool NameNotResolved { get; }
    }

    /// <summary>
    /// The server refused the session with a reply (421 at any point, a refused greeting, EHLO or RSET):
    /// no later message can go over this connection.
    /// </summary>
    public sealed class SmtpSessionRejectedException : SmtpException
    {
        public SmtpSessionRejectedException(SmtpReply reply)
            : this(reply, "The server ended the session")
        {
        }

        /// <param name="explanation">What the refusal meant, in words, without the reply (which is appended).</param>
        public SmtpSessionRejectedException(SmtpReply reply, string explanation)
            : base($"{explanation}: {reply.Code} {reply.Text}", reply.Stage)
        {
            Reply = reply;
            Explanation = explanation;
        }

        public SmtpReply Reply { get; }

        /// <summary>What the refusal meant, without the reply.</summary>
        public string Explanation { get; }
    }
}

namespace SmtpPs
{
    /// <summary>The exception behind the error record of a negative reply: the reply itself is the target.</summary>
    public sealed class SmtpRejectedException : SmtpException
    {
        public SmtpRejectedException(SmtpReply reply, string message, SmtpMessageResult? result = null)
            : base(message, reply.Stage)
        {
            Reply = reply;
            Result = result;
        }

        public SmtpReply Reply { get; }

        /// <summary>
        /// The outcome of the message the refusal concerns, final when the error is written: a script that
        /// stops on the error can tell "nothing was sent" (NotDelivered) from "sent to the other recipients"
        /// (Delivered). Null for a refusal that concerns no message (QUIT, say).
        /// </summary>
        public SmtpMessageResult? Result { get; }
    }

    /// <summary>
    /// A message went to some of its recipients, and a fault (no route, no connection, a session refused)
    /// kept it from the others. The fault is the inner exception; the result says who got the message, so
    /// that a script which stops on the error does not send it again to those who did.
    /// </summary>
    public sealed class SmtpPartialDeliveryException : SmtpException
    {
        public SmtpPartialDeliveryException(string message, SmtpMessageResult result, Exception fault)
            : base(message, fault is SmtpException smtp ? smtp.Stage : SmtpStage.Connect, fault)
        {
            Result = result;
        }

        public SmtpMessageResult Result { get; }
    }
}

namespace SmtpPs
{
    /// <summary>Why TLS could not be had.</summary>
    public enum SmtpTlsFailure
    {
        /// <summary>TLS was required and the server did not advertise STARTTLS (or was stripped of it).</summary>
        NotOffered,

        /// <summary>The server answered STARTTLS with something else than 220.</summary>
        Refused,

        /// <summary>The handshake failed (no TLS on the port, no common protocol, a broken connection).</summary>
        HandshakeFailed,

        /// <summary>The certificate was untrusted, expired, for another name, or not the pinned one.</summary>
        CertificateRejected,

        /// <summary>The server offered only TLS 1.0 or 1.1.</summary>
        ProtocolTooOld,
    }

    /// <summary>What was wrong with a certificate that was refused.</summary>
    [Flags]
    public enum SmtpCertificateProblems
    {
        None = 0,

        /// <summary>It is not valid for the name it was checked against.</summary>
        NameMismatch = 1,

        /// <summary>Its chain does not lead to a trusted authority (self-signed, unknown issuer, incomplete chain).</summary>
        Untrusted = 2,

        /// <summary>It has expired or is not valid yet.</summary>
        Expired = 4,

        /// <summary>It is not the one pinned by its SHA-256 thumbprint.</summary>
        NotPinned = 8,

        /// <summary>The server sent none.</summary>
        NoCertificate = 16,
    }

    /// <summary>TLS was required or attempted and did not come about; nothing was sent in plaintext instead.</summary>
    public sealed class SmtpTlsException : SmtpException
    {
        public SmtpTlsException(SmtpTlsFailure failure, string message, Exception? inner = null, SmtpReply? reply = null)
            : base(message, SmtpStage.StartTls, inner)
        {
            Failure = failure;
            Reply = reply;
        }

        public SmtpTlsFailure Failure { get; }

        public SmtpReply? Reply { get; }

        /// <summary>
        /// True when TLS was required because credentials were given (they never cross a plaintext link),
        /// false when the TLS mode itself required it.
        /// </summary>
        public bool RequiredForCredentials { get; internal set; }

        /// <summary>True when TLS was tried from the first byte (implicit TLS) rather than after STARTTLS.</summary>
        public bool ImplicitTls { get; internal set; }

        /// <summary>What was wrong with the certificate, when it was refused.</summary>
        public SmtpCertificateProblems CertificateProblems { get; internal set; }

        /// <summary>The certificate the server presented, when it was refused.</summary>
        public SmtpTlsInfo? Presented { get; internal set; }
    }

    /// <summary>Why credentials could not be used.</summary>
    public enum SmtpAuthenticationFailure
    {
        /// <summary>The server does not advertise AUTH.</summary>
        NotOffered,

        /// <summary>None of the mechanisms the server offers is one SmtpPs can use with the credentials given.</summary>
        NoCommonMechanism,

        /// <summary>The connection is not encrypted and -AllowUnencryptedAuthentication was not given.</summary>
        Unencrypted,
    }

    /// <summary>Credentials were given and could not be used; nothing was sent without them.</summary>
    public sealed class SmtpAuthenticationException : SmtpException
    {
        public SmtpAuthenticationException(SmtpAuthenticationFailure failure, string message)
            : base(message, SmtpStage.Auth)
        {
            Failure = failure;
        }

        public SmtpAuthenticationFailure Failure { get; }
    }
}

namespace SmtpPs
{
    /// <summary>Why a message was not sent although the session could go on.</summary>
    public enum SmtpNotSentReason
    {
        /// <summary>The file has octets above 127 and the server does not offer 8BITMIME (RFC 6152).</summary>
        EightBitNotSupported,

        /// <summary>The message is larger than the server's SIZE limit (RFC 1870).</summary>
        TooLarge,

        /// <summary>An address or the headers are UTF-8 and the server does not offer SMTPUTF8 (RFC 6531).</summary>
        SmtpUtf8NotSupported,
    }

    /// <summary>One message cannot go to this server as it is; the session goes on with the next file.</summary>
    public sealed class SmtpMessageNotSentException : SmtpException
    {
        public SmtpMessageNotSentException(SmtpNotSentReason reason, string path, string message)
            : base(message, SmtpStage.MailFrom)
        {
            Reason = reason;
            Path = path;
        }

        public SmtpNotSentReason Reason { get; }

        public string Path { get; }
    }
}

namespace SmtpPs
{
    /// <summary>Why a recipient domain has nowhere to send mail to (MX routing).</summary>
    public enum SmtpRouteFailure
    {
        /// <summary>The domain publishes a null MX (RFC 7505): it takes no mail.</summary>
        NullMx,

        /// <summary>The domain does not exist (NXDOMAIN).</summary>
        DomainNotFound,

        /// <summary>The domain has no mail host with an address.</summary>
        NoMailHost,

        /// <summary>The address has no usable domain.</summary>
        InvalidDomain,

        /// <summary>The lookup failed (a server failure, a timeout): a later attempt may succeed.</summary>
        LookupFailed,
    }

    /// <summary>Mail for a domain cannot be routed: no MX host to connect to, for good or for now.</summary>
    public sealed class SmtpRouteException : SmtpException
    {
        public SmtpRouteException(SmtpRouteFailure failure, string domain, string message)
            : base(message, SmtpStage.Connect)
        {
            Failure = failure;
            Domain = domain;
        }

        public SmtpRouteFailure Failure { get; }

        public string Domain { get; }

        /// <summary>True when a later attempt may succeed.</summary>
        public bool IsTransient => Failure == SmtpRouteFailure.LookupFailed;
    }
}
