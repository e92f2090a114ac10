using System;
using System.Globalization;
using System.Linq;
using System.Text.RegularExpressions;
using System.Threading.Tasks;

namespace SmtpPs.Testing.Engine
{
    /// <summary>The mail transaction: MAIL, RCPT, DATA or BDAT, the content and the reply to it.</summary>
    internal sealed partial class SessionFront
    {
        private static readonly Regex BdatLine = new Regex(@"^BDAT +(\d{1,18})( +LAST)? *$", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant);

        private async Task<bool> MailAsync(string line)
        {
            if (_transaction != null)
            {
                return Give(new Reply(503, "5.5.1 Error: nested MAIL command"));
            }

            EsmtpCommand? mail = EsmtpCommand.Parse(line, "MAIL FROM:");
            if (mail == null)
            {
                return Give(new Reply(501, "5.5.4 Syntax: MAIL FROM:<address> [parameters]"));
            }

            var transaction = new SmtpTestTransaction(_connection.Id, mail.Address, mail.Parameters);
            Reply? reply = CheckMailParameters(mail)
                ?? await StageAsync(SmtpStage.MailFrom, mail.Address, null, () => ForwardAsync($"MAIL FROM:<{mail.Address}>")).ConfigureAwait(false);
            transaction.Add(Exchange(SmtpStage.MailFrom, line, reply));
            if (reply != null && reply.IsPositive)
            {
                _transaction = transaction;
                _content = null;
                return Give(reply);
            }

            transaction.Outcome = reply == null ? SmtpTestOutcome.Disconnected : SmtpTestOutcome.Refused;
            _server.EndTransaction(transaction);
            return Give(reply);
        }

        private async Task<bool> RcptAsync(string line)
        {
            SmtpTestTransaction? transaction = _transaction;
            if (transaction == null)
            {
                return Give(new Reply(503, "5.5.1 Error: need MAIL command"));
            }

            EsmtpCommand? rcpt = EsmtpCommand.Parse(line, "RCPT TO:");
            Reply? reply = rcpt == null
                ? new Reply(501, "5.5.4 Syntax: RCPT TO:<address> [parameters]")
                : CheckRcptParameters(rcpt, transaction)
                  ?? await StageAsync(SmtpStage.RcptTo, transaction.MailFrom, rcpt.Address, () => ForwardAsync($"RCPT TO:<{rcpt.Address}>")).ConfigureAwait(false);
            transaction.AddRecipient(new SmtpTestRecipient(rcpt?.Address ?? line, rcpt?.Parameters ?? EmptyParameters, Exchange(SmtpStage.RcptTo, line, reply)));
            return Give(reply);
        }

        private async Task<bool> DataAsync(string line)
        {
            SmtpTestTransaction? transaction = _transaction;
            if (transaction == null)
            {
                return Give(new Reply(503, "5.5.1 Error: need MAIL command"));
            }

            // RFC 2920 3.1: with PIPELINING, DATA arrives before the client knows whether any RCPT worked.
            Reply? reply = transaction.RcptTo.Count == 0
                ? new Reply(554, "5.5.1 Error: no valid recipients")
                : await StageAsync(SmtpStage.Data, transaction.MailFrom, null, () => ForwardAsync("DATA")).ConfigureAwait(false);
            transaction.Add(Exchange(SmtpStage.Data, line, reply));
            if (reply == null || reply.Code != 354)
            {
                EndTransaction(reply == null ? SmtpTestOutcome.Disconnected : SmtpTestOutcome.Refused);
                return Give(reply);
            }

            Give(reply);
            _content = new ContentBuffer(_options.SizeLimit, DeclaredSize(transaction));
            if (!await _reader.ReadDotContentAsync(_content, Cancel).ConfigureAwait(false))
            {
                return false;
            }

            _connection.Log(SmtpLogKind.Event, $"{_content.Length} octets of content, up to the final dot");
            return await EndOfDataAsync("(end of data)", () => ForwardRawAsync(EmptyDotBlock)).ConfigureAwait(false);
        }

        private async Task<bool> BdatAsync(string line)
        {
            Match match = BdatLine.Match(line);
            if (!match.Success)
            {
                return Give(new Reply(501, "5.5.4 Syntax: BDAT <size> [LAST]"));
            }

            long size = long.Parse(match.Groups[1].Value, CultureInfo.InvariantCulture);
            bool last = match.Groups[2].Success;
            SmtpTestTransaction? transaction = _transaction;
            Reply? refusal = !_options.Offers(SmtpTestExtension.Chunking) ? new Reply(502, "5.5.1 BDAT is not offered")
                : transaction == null ? new Reply(503, "5.5.1 Error: need MAIL command")
                : transaction.RcptTo.Count == 0 ? new Reply(554, "5.5.1 Error: no valid recipients")
                : null;
            if (refusal != null)
            {
                // RFC 3030 2: the chunk is read and discarded whatever the reply, or it would be taken for commands.
                if (!await _reader.ReadExactAsync(size, null, Cancel).ConfigureAwait(false))
                {
                    return false;
                }

                transaction?.Add(Exchange(SmtpStage.Content, line, refusal));
                EndTransaction(SmtpTestOutcome.Refused);
                return Give(refusal);
            }

            _content ??= new ContentBuffer(_options.SizeLimit, Math.Max(size, DeclaredSize(transaction!)));
            _content.Expect(size);
            if (!await _reader.ReadExactAsync(size, _content, Cancel).ConfigureAwait(false))
            {
                return false;
            }

            _connection.Log(SmtpLogKind.Event, $"{size} octets of content in a chunk{(last ? " (the last)" : string.Empty)}");
            if (!last)
            {
                var received = new Reply(250, $"2.0.0 {size} octets received");
                transaction!.Add(Exchange(SmtpStage.Content, line, received));
                return Give(received);
            }

            // SmtpServer knows no BDAT: its transaction ends as an empty DATA would.
            return await EndOfDataAsync(line, async () =>
            {
                Reply? data = await ForwardAsync("DATA").ConfigureAwait(false);
                return data == null || data.Code != 354 ? data : await ForwardRawAsync(EmptyDotBlock).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }

        /// <summary>
        /// The content has arrived: SmtpServer's transaction is ended (its reply is not the client's), the
        /// message is built, and the reply decided: 552 past the size limit, a fault's, or 250 with a queue id.
        /// </summary>
        private async Task<bool> EndOfDataAsync(string command, Func<Task<Reply?>> endEngineTransaction)
        {
            SmtpTestTransaction transaction = _transaction!;
            ContentBuffer content = _content!;
            if (await endEngineTransaction().ConfigureAwait(false) == null)
            {
                return false;
            }

            transaction.Size = content.Length;
            string queueId = _server.NextQueueId();
            SmtpTestMessage? message = content.Overflowed ? null : new SmtpTestMessage(content.ToArray(), transaction, _connection, queueId);
            transaction.Message = message;
            var normal = content.Overflowed
                ? new Reply(552, "5.3.4 Message size exceeds fixed maximum message size")
                : new Reply(250, "2.0.0 Ok: queued as " + queueId);
            Reply? reply = await StageAsync(SmtpStage.EndOfData, transaction.MailFrom, null, () => Task.FromResult<Reply?>(normal)).ConfigureAwait(false);
            transaction.Add(Exchange(SmtpStage.EndOfData, command, reply));
            bool accepted = reply != null && reply.IsPositive && message != null;
            EndTransaction(reply == null ? SmtpTestOutcome.Disconnected : accepted ? SmtpTestOutcome.Accepted : SmtpTestOutcome.Refused);
            if (accepted)
            {
                _server.Accept(message!);
            }

            return Give(reply);
        }

        /// <summary>RFC 1869 / 5321 4.1.1.11: parameters of extensions not offered are refused, and so are bad ones.</summary>
        private Reply? CheckMailParameters(EsmtpCommand mail)
        {
            foreach (var parameter in mail.Parameters)
            {
                string? value = parameter.Value;
                bool known = parameter.Key switch
                {
                    "SIZE" => _options.Offers(SmtpTestExtension.Size) && long.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out _),
                    "BODY" => string.Equals(value, "7BIT", StringComparison.OrdinalIgnoreCase) ||
                              (string.Equals(value, "8BITMIME", StringComparison.OrdinalIgnoreCase) && _options.Offers(SmtpTestExtension.EightBitMime)),
                    "SMTPUTF8" => value == null && _options.Offers(SmtpTestExtension.SmtpUtf8),
                    "RET" => _options.Offers(SmtpTestExtension.Dsn) && (string.Equals(value, "FULL", StringComparison.OrdinalIgnoreCase) || string.Equals(value, "HDRS", StringComparison.OrdinalIgnoreCase)),
                    "ENVID" => _options.Offers(SmtpTestExtension.Dsn) && !string.IsNullOrEmpty(value),
                    "AUTH" => _options.Offers(SmtpTestExtension.Auth) && !string.IsNullOrEmpty(value),
                    _ => false,
                };
                if (!known)
                {
                    return new Reply(555, $"5.5.4 MAIL parameter {parameter.Key} is not recognised or its extension is not offered");
                }
            }

            if (_options.SizeLimit > 0 && mail.Parameters.TryGetValue("SIZE", out string? size) && long.Parse(size!, CultureInfo.InvariantCulture) > _options.SizeLimit)
            {
                // RFC 1870 6.1: refused at MAIL when the declared size is over the limit.
                return new Reply(552, "5.3.4 Message size exceeds fixed maximum message size");
            }

            if (!mail.IsAscii && !mail.Parameters.ContainsKey("SMTPUTF8"))
            {
                return new Reply(553, "5.6.7 Non-ASCII address needs SMTPUTF8"); // RFC 6531 3.5
            }

            return null;
        }

        private Reply? CheckRcptParameters(EsmtpCommand rcpt, SmtpTestTransaction transaction)
        {
            foreach (string keyword in rcpt.Parameters.Keys)
            {
                if (!(_options.Offers(SmtpTestExtension.Dsn) && (keyword == "NOTIFY" || keyword == "ORCPT")))
                {
                    return new Reply(555, $"5.5.4 RCPT parameter {keyword} is not recognised or its extension is not offered");
                }
            }

            if (!rcpt.IsAscii && !transaction.MailParameters.ContainsKey("SMTPUTF8"))
            {
                return new Reply(553, "5.6.7 Non-ASCII address needs SMTPUTF8");
            }

            return null;
        }

        private static long DeclaredSize(SmtpTestTransaction transaction) =>
            transaction.MailParameters.TryGetValue("SIZE", out string? size) && long.TryParse(size, NumberStyles.None, CultureInfo.InvariantCulture, out long declared) ? declared : 0;

        /// <summary>The record of a reply; with none, the 421 a fault closed with, or Code 0 for closing without a word.</summary>
        private SmtpTestExchange Exchange(SmtpStage stage, string command, Reply? reply)
        {
            reply ??= _closingReply;
            return new SmtpTestExchange(stage, command, reply?.Code ?? 0, reply?.Lines ?? Array.Empty<string>());
        }

        private static readonly System.Collections.Generic.IReadOnlyDictionary<string, string?> EmptyParameters =
            new System.Collections.Generic.Dictionary<string, string?>();
    }
}
