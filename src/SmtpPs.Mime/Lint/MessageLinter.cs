using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;

namespace SmtpPs.Mime
{
    /// <summary>
    /// Checks a message as its octets go by, with memory bounded by the longest header field: every
    /// line's length, and the header block field by field (<see cref="HeaderFieldChecks"/>). Lines end at
    /// LF, with or without CR, as SMTP senders read them. Findings carry the line they are on.
    /// </summary>
    internal sealed class MessageLinter
    {
        /// <summary>A header field is kept for checking up to this size; beyond it only its length counts.</summary>
        private const int MaxFieldOctets = 256 * 1024;

        private readonly HeaderFieldChecks _headers;
        private readonly List<PendingFinding> _findings = new List<PendingFinding>();
        private readonly MemoryStream _lineBytes = new MemoryStream();
        private MemoryStream? _field;
        private string _fieldName = string.Empty;
        private int _fieldLine;
        private int _line = 1;
        private long _lineLength;
        private bool _lastWasCr;
        private bool _inHeaders = true;
        private bool _completed;

        /// <param name="rawContent">True for content sent as it is (a file, a string, bytes): a Bcc field in it reaches every recipient.</param>
        public MessageLinter(bool rawContent) => _headers = new HeaderFieldChecks(rawContent, Add);

        /// <summary>The Message-ID the header block holds, once it has been read; null without one.</summary>
        public string? MessageId => _headers.MessageId;

        public void Write(byte[] buffer, int offset, int count)
        {
            int end = offset + count;
            while (offset < end)
            {
                int lf = Array.IndexOf(buffer, (byte)'\n', offset, end - offset);
                int stop = lf < 0 ? end : lf;
                Append(buffer, offset, stop - offset);
                if (lf < 0)
                {
                    return;
                }

                EndLine();
                offset = lf + 1;
            }
        }

        /// <summary>Ends the message and returns every finding: whole-message ones first, then by line.</summary>
        public IReadOnlyList<MessageLintFinding> Complete(string source, string? path)
        {
            if (!_completed)
            {
                _completed = true;
                if (_lineLength > 0)
                {
                    EndLine();
                }

                if (_inHeaders)
                {
                    EndHeaders();
                }
            }

            return _findings
                .OrderBy(f => f.Line ?? 0)
                .Select(f => new MessageLintFinding(f.Rule.Id, f.Rule.Reference, f.Rule.Severity, f.Line, f.Message, source, path))
                .ToList();
        }

        private void Append(byte[] buffer, int offset, int count)
        {
            if (count == 0)
            {
                return;
            }

            _lineLength += count;
            _lastWasCr = buffer[offset + count - 1] == (byte)'\r';
            if (_inHeaders && _lineBytes.Length < MaxFieldOctets)
            {
                _lineBytes.Write(buffer, offset, (int)Math.Min(count, MaxFieldOctets - _lineBytes.Length));
            }
        }

        private void EndLine()
        {
            long octets = _lineLength - (_lastWasCr ? 1 : 0);
            if (octets > MessageComposer.MaxLineLength)
            {
                Add(LintRule.LineTooLong, _line, $"The line is {octets:N0} octets long; lines end within {MessageComposer.MaxLineLength} octets (1000 with CRLF), or servers refuse or break the message. Encode long content with quoted-printable or base64.");
            }

            if (_inHeaders)
            {
                HeaderLine((int)Math.Min(_lineBytes.Length, octets));
            }

            _line++;
            _lineLength = 0;
            _lastWasCr = false;
            _lineBytes.SetLength(0);
        }

        private void HeaderLine(int length)
        {
            byte[] bytes = _lineBytes.GetBuffer();
            if (length == 0)
            {
                EndHeaders();
                return;
            }

            if (bytes[0] == (byte)' ' || bytes[0] == (byte)'\t')
            {
                // RFC 5322 2.2.3: a continuation line; unfolding removes only the CRLF before it.
                if (_field == null)
                {
                    Add(LintRule.HeaderLineMalformed, _line, "The message starts with a continuation line (white space first), which belongs to no field.");
                }
                else if (_field.Length < MaxFieldOctets)
                {
                    _field.Write(bytes, 0, (int)Math.Min(length, MaxFieldOctets - _field.Length));
                }

                return;
            }

            FlushField();
            int colon = Array.IndexOf(bytes, (byte)':', 0, length);
            string? name = colon > 0 ? FieldName(bytes, colon) : null;
            if (name == null)
            {
                Add(LintRule.HeaderLineMalformed, _line,
                    "The line is neither a header field (Name: value) nor a continuation; the header block ends at the first empty line, so the body may lack the empty line before it.");
                EndHeaders();
                return;
            }

            _fieldName = name;
            _fieldLine = _line;
            _field = new MemoryStream();
            _field.Write(bytes, colon + 1, length - colon - 1);
        }

        /// <summary>The field name before the colon (RFC 5322 3.6.8), white space before the colon allowed (RFC 5322 4.5: obsolete, but read); null if invalid.</summary>
        private static string? FieldName(byte[] bytes, int colon)
        {
            int end = colon;
            while (end > 0 && (bytes[end - 1] == (byte)' ' || bytes[end - 1] == (byte)'\t'))
            {
                end--;
            }

            if (end == 0)
            {
                return null;
            }

            for (int i = 0; i < end; i++)
            {
                if (bytes[i] < 33 || bytes[i] > 126)
                {
                    return null;
                }
            }

            return Encoding.ASCII.GetString(bytes, 0, end);
        }

        private void FlushField()
        {
            if (_field == null)
            {
                return;
            }

            _headers.Check(_fieldName, _fieldLine, _field.GetBuffer(), (int)_field.Length);
            _field = null;
        }

        private void EndHeaders()
        {
            FlushField();
            _inHeaders = false;
            _headers.EndOfHeaders();
        }

        private void Add(LintRule rule, int? line, string message) => _findings.Add(new PendingFinding(rule, line, message));

        private sealed class PendingFinding
        {
            public PendingFinding(LintRule rule, int? line, string message)
            {
                Rule = rule;
                Line = line;
                Message = message;
            }

            public LintRule Rule { get; }

            public int? Line { get; }

            public string Message { get; }
        }
    }
}
