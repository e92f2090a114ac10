using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Management.Automation;
using SmtpPs.Content;
using SmtpPs.Delivery;
using SmtpPs.Session;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Every error record the module writes, with its stable ErrorId and category: the one place where
    /// problems and faults become PowerShell errors, and where hints name the parameters that fix them.
    /// </summary>
    internal static class ErrorRecords
    {
        /// <summary>A parameter that cannot be used: a terminating error before anything is sent.</summary>
        public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
            new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

        /// <summary>One problem of a message whose outcome is now final; the exception carries the result.</summary>
        public static ErrorRecord ForProblem(MessageProblem problem, SmtpMessageResult result)
        {
            switch (problem.Kind)
            {
                case MessageProblemKind.RecipientRefused:
                    // The ErrorId says what a script that stops on the error must know first: whether the
                    // message went to the other recipients (so that sending it again would duplicate it).
                    ErrorRecord refused = Rejected(problem.Reply!, $"{problem.Explanation}; {RecipientOutcome(result)}", result);
                    return result.Status == SmtpDeliveryStatus.Delivered
                        ? new ErrorRecord(refused.Exception, "SmtpPartiallyDelivered", refused.CategoryInfo.Category, refused.TargetObject) { ErrorDetails = refused.ErrorDetails }
                        : refused;
                case MessageProblemKind.Refused when result.Status == SmtpDeliveryStatus.Delivered:
                    return PartiallyDelivered(problem.Explanation, RejectionCategory(problem.Reply!), new SmtpRejectedException(problem.Reply!, problem.Explanation, result), result);
                case MessageProblemKind.Refused:
                    return Rejected(problem.Reply!, problem.Explanation, result);
                case MessageProblemKind.Fault when result.Status == SmtpDeliveryStatus.Delivered:
                    ErrorRecord fault = SessionFault(problem.Fault!, result.Server, Array.Empty<SmtpMessageResult>());
                    return PartiallyDelivered(fault.ErrorDetails.Message, fault.CategoryInfo.Category, problem.Fault!, result);
                case MessageProblemKind.NotSent:
                    SmtpNotSentReason reason = problem.NotSentReason!.Value;
                    return new ErrorRecord(new SmtpMessageNotSentException(reason, result.Path, problem.Explanation), reason switch
                    {
                        SmtpNotSentReason.EightBitNotSupported => "SmtpEightBitNotSupported",
                        SmtpNotSentReason.TooLarge => "SmtpMessageTooLarge",
                        SmtpNotSentReason.SmtpUtf8NotSupported => "SmtpUtf8NotSupported",
                        _ => "SmtpMessageNotSent",
                    }, reason == SmtpNotSentReason.TooLarge ? ErrorCategory.LimitsExceeded : ErrorCategory.InvalidData, result.Path);
                case MessageProblemKind.Content:
                    return Content(problem.Content!, result.Path);
                case MessageProblemKind.Fault:
                    return SessionFault(problem.Fault!, result.Server, new[] { result });
                case MessageProblemKind.Unusable:
                    return new ErrorRecord(new ArgumentException(problem.Explanation), problem.Code, problem.Code switch
                    {
                        "MessageFileUnreadable" => ErrorCategory.ReadError,
                        "NoSender" or "NoRecipients" or "InvalidHeaderAddress" or "HeaderBlockTooLong" => ErrorCategory.InvalidData,
                        _ => ErrorCategory.InvalidArgument,
                    }, result.Path);
                default:
                    Exception failure = problem.ReadFailure!;
                    return new ErrorRecord(failure, "MessageFileReadFailed", ErrorCategory.ReadError, result.Path)
                    {
                        ErrorDetails = new ErrorDetails($"'{result.Path}' was not sent: {problem.Explanation}"),
                    };
            }
        }

        /// <summary>Content that cannot be sent as it is; the ErrorId names the problem.</summary>
        public static ErrorRecord Content(ContentException e, string target) =>
            new ErrorRecord(e, "MessageFile" + e.Problem switch
            {
                ContentProblem.Nul => "HasNul",
                ContentProblem.Utf16 => "IsUtf16",
                _ => e.Problem.ToString(),
            }, ErrorCategory.InvalidData, target)
            {
                ErrorDetails = new ErrorDetails($"'{target}' cannot be sent: {e.Message}"),
            };

        /// <summary>A negative reply: the ErrorId names the stage, the category the reply class.</summary>
        public static ErrorRecord Rejected(SmtpReply reply, string explanation, SmtpMessageResult? result = null)
        {
            string message = $"{explanation} Server reply: {reply.Code} {reply.Text}";
            var exception = new SmtpRejectedException(reply, message, result);
            return new ErrorRecord(exception, RejectionId(reply), RejectionCategory(reply), reply)
            {
                ErrorDetails = new ErrorDetails(message),
            };
        }

        /// <summary>A session that ended otherwise than by QUIT: a fault, said once, with which messages were delivered and which were not.</summary>
        public static ErrorRecord SessionEnded(SessionEnd end)
        {
            if (end.Fault == null)
            {
                return Rejected(end.Reply!, end.Explanation);
            }

            return SessionFault(end.Fault, end.Server, end.Results);
        }

        /// <summary>A fault that ended the session: says which messages were delivered and which were not.</summary>
        public static ErrorRecord SessionFault(Exception fault, string server, IReadOnlyList<SmtpMessageResult> results)
        {
            string message = fault.Message;
            string? hint = Hint(fault);
            if (hint != null)
            {
                message = message.TrimEnd('.') + ". " + hint;
            }

            if (results.Count > 0)
            {
                message = message.TrimEnd('.') + ". " + Settlement(results);
            }

            (string id, ErrorCategory category) = fault switch
            {
                SmtpTimeoutException _ => ("SmtpTimeout", ErrorCategory.OperationTimeout),
                SmtpTlsException t => (t.Failure switch
                {
                    SmtpTlsFailure.NotOffered => "SmtpStartTlsNotOffered",
                    SmtpTlsFailure.Refused => "SmtpStartTlsRejected",
                    SmtpTlsFailure.CertificateRejected => "SmtpCertificateRejected",
                    SmtpTlsFailure.ProtocolTooOld => "SmtpTlsProtocolTooOld",
                    _ => "SmtpTlsHandshakeFailed",
                }, ErrorCategory.SecurityError),
                SmtpAuthenticationException a => (a.Failure switch
                {
                    SmtpAuthenticationFailure.NotOffered => "SmtpAuthenticationNotOffered",
                    SmtpAuthenticationFailure.Unencrypted => "UnencryptedAuthenticationRefused",
                    _ => "SmtpAuthenticationMechanismUnavailable",
                }, ErrorCategory.AuthenticationError),
                SmtpRouteException r => (r.Failure switch
                {
                    SmtpRouteFailure.NullMx => "SmtpDomainAcceptsNoMail",
                    SmtpRouteFailure.DomainNotFound => "SmtpDomainNotFound",
                    SmtpRouteFailure.NoMailHost => "SmtpNoMailHost",
                    SmtpRouteFailure.InvalidDomain => "SmtpInvalidDomain",
                    _ => "SmtpDnsLookupFailed",
                }, r.IsTransient ? ErrorCategory.ResourceUnavailable : ErrorCategory.ObjectNotFound),
                SmtpProtocolException _ => ("SmtpProtocolError", ErrorCategory.ProtocolError),
                SmtpConnectionException c when c.NameNotResolved => ("SmtpServerNotFound", ErrorCategory.ConnectionError),
                SmtpConnectionException c when c.Stage == SmtpStage.Connect => ("SmtpConnectFailed", ErrorCategory.ConnectionError),
                SmtpConnectionException _ => ("SmtpConnectionLost", ErrorCategory.ConnectionError),
                IOException _ => ("MessageFileReadFailed", ErrorCategory.ReadError),
                _ => ("SmtpFailed", ErrorCategory.NotSpecified),
            };
            object target = fault switch
            {
                SmtpProtocolException { Reply: { } reply } => reply,
                SmtpTlsException { Reply: { } reply } => reply,
                _ => server,
            };
            return new ErrorRecord(fault, id, category, target) { ErrorDetails = new ErrorDetails(message) };
        }

        /// <summary>
        /// A fault kept a message from some recipients (those of one domain, with MX routing) after others
        /// got it: the same ErrorId as a refused recipient of a delivered message, because what a script must
        /// know first is the same, that sending it again would duplicate it.
        /// </summary>
        private static ErrorRecord PartiallyDelivered(string reason, ErrorCategory category, Exception cause, SmtpMessageResult result)
        {
            List<string> missed = result.Recipients.Where(r => r.Status != SmtpDeliveryStatus.Delivered).Select(r => r.Address).ToList();
            string delivered = string.Join(", ", result.Recipients.Where(r => r.Status == SmtpDeliveryStatus.Delivered).Select(r => r.Address));
            string message = $"{reason.TrimEnd('.')}. '{result.Path}' was delivered to {delivered}, not to {string.Join(", ", missed)}.";
            return new ErrorRecord(new SmtpPartialDeliveryException(message, result, cause), "SmtpPartiallyDelivered", category,
                missed.Count == 1 ? missed[0] : (object)missed.ToArray())
            {
                ErrorDetails = new ErrorDetails(message),
            };
        }

        /// <summary>What to do about a fault, naming the parameters that change it; null when there is nothing to add.</summary>
        private static string? Hint(Exception fault) => fault switch
        {
            SmtpTlsException { Failure: SmtpTlsFailure.NotOffered or SmtpTlsFailure.Refused, RequiredForCredentials: true } =>
                "Credentials are never sent without TLS; give -AllowUnencryptedAuthentication to send them anyway",
            SmtpTlsException { Failure: SmtpTlsFailure.NotOffered or SmtpTlsFailure.Refused } =>
                "-TlsMode StartTls requires it; -TlsMode StartTlsWhenAvailable goes on without TLS",
            SmtpAuthenticationException { Failure: SmtpAuthenticationFailure.Unencrypted } =>
                "Use TLS, or give -AllowUnencryptedAuthentication to send them anyway",
            SmtpTlsException { Failure: SmtpTlsFailure.CertificateRejected } t => CertificateHint(t),
            SmtpTimeoutException { Stage: SmtpStage.Greeting } =>
                "A server that speaks TLS from the first byte (implicit TLS, usually port 465) never greets in plain text: if that is this port, use -TlsMode Implicit",
            SmtpTlsException { Failure: SmtpTlsFailure.HandshakeFailed, ImplicitTls: true } =>
                "If the port speaks plain SMTP (25 and 587 do, with STARTTLS), -TlsMode Implicit is wrong for it",
            _ => null,
        };

        private static string? CertificateHint(SmtpTlsException refused)
        {
            SmtpCertificateProblems problems = refused.CertificateProblems;
            string thumbprint = refused.Presented?.CertificateThumbprintSha256 ?? string.Empty;
            if ((problems & SmtpCertificateProblems.NotPinned) != 0)
            {
                return "-CertificateThumbprint pins another certificate";
            }

            var hints = new List<string>();
            if ((problems & SmtpCertificateProblems.NameMismatch) != 0)
            {
                hints.Add("Connect with a name the certificate carries, or give that name with -TlsServerName");
            }

            if ((problems & (SmtpCertificateProblems.Untrusted | SmtpCertificateProblems.Expired)) != 0 && thumbprint.Length > 0)
            {
                hints.Add($"To trust this one certificate, pin it with -CertificateThumbprint {thumbprint}; -SkipCertificateCheck accepts any certificate (encrypted, but not authenticated)");
            }

            return hints.Count == 0 ? null : string.Join(". ", hints);
        }

        /// <summary>What the refusal of one recipient meant for the message, once its outcome is known.</summary>
        private static string RecipientOutcome(SmtpMessageResult result)
        {
            if (result.Status == SmtpDeliveryStatus.Checked)
            {
                return "nothing was delivered (-QuitAfter)";
            }

            if (result.AcceptedRecipients.Count == 0)
            {
                return $"no recipient was accepted, so '{result.Path}' was not sent.";
            }

            return result.Status == SmtpDeliveryStatus.Delivered
                ? $"'{result.Path}' goes to the accepted recipients only."
                : $"'{result.Path}' was not delivered to the accepted recipients either.";
        }

        private static string RejectionId(SmtpReply reply)
        {
            if (ReplyClass.IsServiceClosing(reply.Code))
            {
                return "SmtpServiceClosing";
            }

            if (reply.Stage == SmtpStage.Auth || reply.Code == 530)
            {
                return reply.Code switch
                {
                    535 => "SmtpAuthenticationFailed",
                    534 => "SmtpAuthenticationTooWeak",
                    538 => "SmtpAuthenticationNeedsEncryption",
                    530 => "SmtpAuthenticationRequired",
                    454 => "SmtpAuthenticationUnavailable",
                    _ => "SmtpAuthenticationRejected",
                };
            }

            return reply.Stage switch
            {
                SmtpStage.Greeting => "SmtpGreetingRejected",
                SmtpStage.StartTls => "SmtpStartTlsRejected",
                SmtpStage.Ehlo => "SmtpEhloRejected",
                SmtpStage.Helo => "SmtpHeloRejected",
                SmtpStage.MailFrom => "SmtpSenderRejected",
                SmtpStage.RcptTo => "SmtpRecipientRejected",
                SmtpStage.Data => "SmtpDataRejected",
                SmtpStage.Content => "SmtpMessageRejected",
                SmtpStage.EndOfData => "SmtpMessageRejected",
                SmtpStage.Reset => "SmtpResetRejected",
                SmtpStage.Quit => "SmtpQuitRejected",
                _ => "SmtpCommandRejected",
            };
        }

        /// <summary>
        /// 4xx is transient (try later); 5xx permanent, refined by the enhanced code where there is one
        /// (RFC 3463: x.7.x security, x.3.4 and 552 too big, x.1.x a bad address).
        /// </summary>
        private static ErrorCategory RejectionCategory(SmtpReply reply)
        {
            if (reply.Stage == SmtpStage.Auth || reply.Code == 530)
            {
                // RFC 4954 6: 530 and 534 say what is allowed; 535, 538 and 454 that these credentials failed.
                return reply.Code == 530 || reply.Code == 534 ? ErrorCategory.PermissionDenied : ErrorCategory.AuthenticationError;
            }

            if (reply.IsTransient)
            {
                return ErrorCategory.ResourceUnavailable;
            }

            string enhanced = reply.EnhancedStatusCode;
            if (reply.Code == 530 || reply.Code == 534 || reply.Code == 535 || reply.Code == 538 || enhanced.StartsWith("5.7.", StringComparison.Ordinal))
            {
                return ErrorCategory.PermissionDenied;
            }

            if (reply.Code == 552 || enhanced == "5.3.4")
            {
                return ErrorCategory.LimitsExceeded;
            }

            if (enhanced.StartsWith("5.1.", StringComparison.Ordinal) || reply.Code == 550 && reply.Stage == SmtpStage.RcptTo)
            {
                return ErrorCategory.ObjectNotFound;
            }

            return ErrorCategory.InvalidOperation;
        }

        private static string Settlement(IReadOnlyList<SmtpMessageResult> results)
        {
            var delivered = new List<string>();
            var notDelivered = new List<string>();
            var unknown = new List<string>();
            foreach (SmtpMessageResult result in results)
            {
                (result.Status == SmtpDeliveryStatus.Delivered ? delivered
                    : result.Status == SmtpDeliveryStatus.Unknown ? unknown
                    : notDelivered).Add(result.Path);
            }

            string Names(List<string> paths) => paths.Count == 0 ? "none" : "'" + string.Join("', '", paths) + "'";
            string text = $"Delivered: {Names(delivered)}. Not delivered: {Names(notDelivered)}.";
            if (unknown.Count > 0)
            {
                text += $" Unknown, may have been delivered (the connection failed after the end of the message was sent): {Names(unknown)}.";
            }

            return text;
        }
    }
}
