using System;
using System.Diagnostics;
using System.IO;
using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>One mail transaction (RFC 5321 3.3): MAIL, RCPT, DATA, the content and its final dot.</summary>
    internal sealed partial class SmtpSession
    {
        /// <summary>
        /// Sends one message in one transaction and fills <paramref name="result"/> as it goes, so that
        /// after an exception it still tells whether the final dot had been sent.
        /// </summary>
        public void Send(Envelope envelope, MessageFile message, Stream content, SmtpMessageResult result)
        {
            EnsureOpen();
            bool eightBit = message.Facts.HasEightBit;
            if (eightBit && !_capabilities.ContainsKey("8BITMIME"))
            {
                // RFC 6152: without 8BITMIME the octets above 127 cannot go; a raw file is never re-encoded.
                throw new SmtpMessageNotSentException(SmtpNotSentReason.EightBitNotSupported, message.Path,
                    $"'{message.Path}' contains octets above 127 and {ServerName} does not offer 8BITMIME; SmtpPs does not re-encode a raw file, so it was not sent.");
            }

            Guard(() =>
            {
                if (_needsReset)
                {
                    Reset(result.Path);
                }

                _needsReset = true; // until the transaction ends well
                string path = result.Path;
                SmtpReply mail = Exchange(envelope.MailCommandWith(eightBit ? "BODY=8BITMIME" : string.Empty), SmtpStage.MailFrom, path);
                if (!IsExpected(mail, 250))
                {
                    Refuse(mail, result, $"The server refused the sender <{envelope.From}>; '{path}' was not sent");
                    return;
                }

                if (!_options.GoesPast(SmtpQuitAfter.Mail))
                {
                    result.Status = SmtpDeliveryStatus.Checked;
                    return; // -QuitAfter Mail: RSET before the next file, or QUIT
                }

                foreach (string recipient in envelope.To)
                {
                    SmtpReply rcpt = Exchange(Envelope.RcptCommand(recipient), SmtpStage.RcptTo, path);
                    if (IsExpected(rcpt, 250, 251))
                    {
                        result.AcceptedRecipients.Add(recipient);
                        continue;
                    }

                    result.RejectedRecipients.Add(recipient);
                    bool last = result.RejectedRecipients.Count == envelope.To.Count;
                    Refuse(rcpt, result, last
                        ? $"The server refused the recipient <{recipient}>; no recipient was accepted, so '{path}' was not sent"
                        : $"The server refused the recipient <{recipient}>; '{path}' goes to the accepted recipients only");
                }

                if (!_options.GoesPast(SmtpQuitAfter.Rcpt))
                {
                    result.Status = SmtpDeliveryStatus.Checked;
                    return; // -QuitAfter Rcpt: the replies say which recipients would be accepted
                }

                if (result.AcceptedRecipients.Count == 0)
                {
                    _observer.OnVerbose($"No recipient accepted: '{path}' not sent; the next transaction starts with RSET.");
                    return;
                }

                SmtpReply data = Exchange("DATA", SmtpStage.Data, path);
                if (!IsExpected(data, 354))
                {
                    Refuse(data, result, $"The server refused DATA; '{path}' was not sent");
                    return;
                }

                var timer = Stopwatch.StartNew();
                _inContent = true;
                content.Position = message.Facts.BomLength;
                try
                {
                    WriteContent(content, result);
                }
                catch (Exception e) when ((e is SmtpTimeoutException || e is SmtpConnectionException) &&
                                          result.Status == SmtpDeliveryStatus.NotDelivered)
                {
                    ReportReplyToUnfinishedContent(path, result, e);
                    throw;
                }

                _inContent = false;
                SmtpReply end = ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), "(end of data)",
                    SmtpStage.EndOfData, path, timer);
                if (!IsExpected(end, 250))
                {
                    result.Status = SmtpDeliveryStatus.NotDelivered;
                    Refuse(end, result, $"The server refused the message '{path}' after receiving it; it was not delivered");
                    return;
                }

                result.Status = SmtpDeliveryStatus.Delivered;
                result.FinalReply = end;
                result.QueueId = QueueId.Parse(end.Text);
                _needsReset = false;
            });
        }

        private void Reset(string path)
        {
            SmtpReply reset = Exchange("RSET", SmtpStage.Reset, path);
            if (!IsExpected(reset, 250))
            {
                // RELIABILITY row 58: a session whose RSET fails cannot be trusted with another transaction.
                EndSession(reset, $"The server refused RSET; '{path}' and any later message were not sent");
            }

            _needsReset = false;
        }

        /// <summary>Streams the file through fixed buffers, dot-stuffed and with CRLF line ends, then the final dot.</summary>
        private void WriteContent(Stream content, SmtpMessageResult result)
        {
            _readBuffer ??= new byte[ReadBlockSize];
            _writeBuffer ??= new byte[DataEncoder.MaxEncodedLength(ReadBlockSize) + DataEncoder.MaxFinishLength];
            var encoder = new DataEncoder();
            long sent = 0;
            long consumed = 0;
            long total = content.Length - content.Position;
            int read;
            _observer.OnVerbose($"C: ({result.Path}: message content)");
            while ((read = content.Read(_readBuffer, 0, _readBuffer.Length)) > 0)
            {
                int encoded = encoder.Encode(_readBuffer, 0, read, _writeBuffer);
                _transport.Write(_writeBuffer, 0, encoded, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
                sent += encoded;
                consumed += read;
                result.BytesSent = sent;
                _observer.OnProgress(result.Path, consumed, total);
            }

            int tail = encoder.Finish(_writeBuffer);
            _transport.Write(_writeBuffer, 0, tail, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
            result.BytesSent = sent + tail;

            // From here on, a lost connection may or may not have delivered the message.
            result.Status = SmtpDeliveryStatus.Unknown;
            _observer.OnVerbose($"C: . ({result.BytesSent} octets sent)");
        }

        /// <summary>
        /// RELIABILITY row 48: a server that refuses a message while it is being sent (a 552 for its size,
        /// say) and stops reading makes the write fail; the reply it sent says why, so read it if it is
        /// there and end the session with it. The message was not delivered: its final dot never left.
        /// </summary>
        private void ReportReplyToUnfinishedContent(string path, SmtpMessageResult result, Exception writeFailure)
        {
            SmtpReply reply;
            try
            {
                TimeSpan wait = _timeouts.Reset < TimeSpan.FromSeconds(5) ? _timeouts.Reset : TimeSpan.FromSeconds(5);
                reply = ReadReply(Deadline.After(wait, SmtpStage.Content), "(message content)", SmtpStage.Content, path, Stopwatch.StartNew());
            }
            catch (SmtpException)
            {
                return; // no reply either: the write failure is the whole story
            }

            result.FinalReply = reply;
            _observer.OnRejected(reply, $"The server refused '{path}' while it was being sent ({writeFailure.Message.TrimEnd('.')}); it was not delivered.");
            Close();
            throw new SmtpSessionRejectedException(reply);
        }

    }
}
