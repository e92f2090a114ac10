using System;
using System.Management.Automation;
using SmtpPs.Mime;

namespace SmtpPs.Commands
{
    /// <summary>The error records of the MIME cmdlets, with their stable ErrorIds and categories.</summary>
    internal static class MimeErrors
    {
        /// <summary>A draft that cannot become a correct message: a parameter error, the value as TargetObject.</summary>
        public static ErrorRecord Draft(MessageDraftException e) =>
            new ErrorRecord(new ArgumentException(e.Message, e), e.ErrorId, ErrorCategory.InvalidArgument, e.Target);

        public static ErrorRecord InvalidArgument(string errorId, string message, object? target) =>
            new ErrorRecord(new ArgumentException(message), errorId, ErrorCategory.InvalidArgument, target);

        /// <summary>An input object that is not a message.</summary>
        public static ErrorRecord UnsupportedInput(object? value)
        {
            string type = value?.GetType().FullName ?? "null";
            string hint = value is byte || value is int
                ? " PowerShell sends an array down the pipeline one element at a time: pass a byte[] with -InputObject, or pipe it as ,$bytes."
                : string.Empty;
            return new ErrorRecord(
                new ArgumentException($"A {type} is not a message. Give a message from New-MimeMessage, a MimeKit MimeMessage, a string, a byte[] or an object with a byte[] Raw property.{hint}"),
                "UnsupportedInputObject", ErrorCategory.InvalidArgument, value);
        }

        public static ErrorRecord FileNotFound(string given) => new ErrorRecord(
            new System.IO.FileNotFoundException($"Cannot find the message file '{given}'.", given),
            "MessageFileNotFound", ErrorCategory.ObjectNotFound, given);

        public static ErrorRecord NotOnFileSystem(string given, string provider) => new ErrorRecord(
            new ArgumentException($"'{given}' is on the {provider} provider; give a file system path."),
            "PathNotOnFileSystem", ErrorCategory.InvalidArgument, given);

        public static ErrorRecord ReadFailed(string path, Exception e) => new ErrorRecord(
            e, "MessageReadFailed", ErrorCategory.ReadError, path)
        {
            ErrorDetails = new ErrorDetails($"Reading '{path}' failed: {e.Message}"),
        };
    }
}
