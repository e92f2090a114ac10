using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Text;
using SmtpPs.Protocol;
using SmtpPs.Transport;

namespace SmtpPs.Session
{
    /// <summary>
    /// CHUNKING (RFC 3030): the content as BDAT chunks with exact octet counts, no dot-stuffing and no
    /// final dot. Chunks are pipelined when the server offers PIPELINING, with at most a few in flight;
    /// after a 4xx or 5xx to a BDAT no further chunk is sent.
    /// </summary>
    internal sealed partial class SmtpSession
    {
        /// <summary>Room before the content in the write buffer for "BDAT n LAST\r\n", so that each chunk is one write.</summary>
        private const int ChunkHeaderRoom = 32;

        /// <summary>A whole message in one BDAT LAST chunk, ready to go with MAIL and RCPT.</summary>
        private sealed class ChunkedContent
        {
            public ChunkedContent(byte[] bytes, int length, SmtpMessageResult result)
            {
                Bytes = bytes;
                Length = length;
                Result = result;
            }

            /// <summary>"BDAT n LAST" CRLF and the n octets.</summary>
            public byte[] Bytes { get; }

            public int Length { get; }

            public SmtpMessageResult Result { get; }
        }

        /// <summary>The message as one chunk when it fits one read block; null for larger ones.</summary>
        private ChunkedContent? ReadSmallMessage(Stream content, MessageFile message, SmtpMessageResult result)
        {
            if (message.Facts.WireSize > ReadBlockSize)
            {
                return null;
            }

            content.Position = message.Facts.BomLength;
            var raw = new byte[message.Facts.Length];
            int total = 0;
            int read;
            while (total < raw.Length && (read = content.Read(raw, total, raw.Length - total)) > 0)
            {
                total += read;
            }

            var encoder = new DataEncoder(dotStuffing: false);
            var encoded = new byte[DataEncoder.MaxEncodedLength(total) + DataEncoder.MaxFinishLength];
            int length = encoder.Encode(raw, 0, total, encoded);
            length += encoder.Finish(encoded, length);
            byte[] header = Encoding.ASCII.GetBytes($"BDAT {length.ToString(CultureInfo.InvariantCulture)} LAST\r\n");
            var bytes = new byte[header.Length + length];
            header.CopyTo(bytes, 0);
            System.Buffer.BlockCopy(encoded, 0, bytes, header.Length, length);
            return new ChunkedContent(bytes, length, result);
        }

        private void FinishSmallChunk(SmtpReply last, SmtpMessageResult result, ChunkedContent chunk)
        {
            if (result.AcceptedRecipients.Count == 0)
            {
                // The chunk went with the RCPTs; with none accepted the server discards it (RFC 3030 2).
                result.Status = SmtpDeliveryStatus.NotDelivered;
                return;
            }

            Conclude(last, result);
        }

        /// <summary>A large message: chunks of one read block each, the last marked LAST.</summary>
        private void SendChunks(Stream content, MessageFile message, SmtpMessageResult result, bool pipelining)
        {
            _readBuffer ??= new byte[ReadBlockSize];
            _writeBuffer ??= new byte[ChunkHeaderRoom + DataEncoder.MaxEncodedLength(ReadBlockSize) + DataEncoder.MaxFinishLength];
            content.Position = message.Facts.BomLength;
            var encoder = new DataEncoder(dotStuffing: false);
            var inFlight = new Queue<(string Shown, bool Last, Stopwatch Timer)>();
            long total = content.Length - content.Position;
            long consumed = 0;
            long sent = 0;
            bool failed = false;
            _inContent = true;
            Narrate($"C: BDAT ({result.Path}: message content in chunks)");
            while (!failed)
            {
                int read = content.Read(_readBuffer, 0, _readBuffer.Length);
                consumed += read;
                bool last = read == 0 || content.Position >= content.Length;
                int length = encoder.Encode(_readBuffer, 0, read, _writeBuffer, ChunkHeaderRoom);
                if (last)
                {
                    length += encoder.Finish(_writeBuffer, ChunkHeaderRoom + length);
                }

                string command = $"BDAT {length.ToString(CultureInfo.InvariantCulture)}{(last ? " LAST" : string.Empty)}";
                byte[] header = Encoding.ASCII.GetBytes(command + "\r\n");
                int start = ChunkHeaderRoom - header.Length;
                header.CopyTo(_writeBuffer, start);
                var timer = Stopwatch.StartNew();
                _transport.Write(_writeBuffer, start, header.Length + length, Deadline.After(_timeouts.DataBlock, SmtpStage.Content));
                sent += length;
                result.BytesSent = sent;
                _observer.OnProgress(result.Path, consumed, total);
                inFlight.Enqueue((command, last, timer));
                if (last)
                {
                    result.Status = SmtpDeliveryStatus.Unknown; // the whole message is out; its reply decides
                    Narrate($"C: {command} ({sent} octets sent)");
                    break;
                }

                if (!pipelining || inFlight.Count > MaxChunksInFlight)
                {
                    failed = !ReadChunkReply(inFlight.Dequeue(), result);
                }
            }

            _inContent = false;
            while (inFlight.Count > 0)
            {
                (string Shown, bool Last, Stopwatch Timer) chunk = inFlight.Dequeue();
                if (chunk.Last)
                {
                    SmtpReply end = ReadReply(Deadline.After(_timeouts.EndOfData, SmtpStage.EndOfData), chunk.Shown, SmtpStage.EndOfData, result.Path, chunk.Timer);
                    Conclude(end, result);
                }
                else
                {
                    failed |= !ReadChunkReply(chunk, result);
                }
            }

            if (failed && result.Status != SmtpDeliveryStatus.Delivered)
            {
                result.Status = SmtpDeliveryStatus.NotDelivered;
            }
        }

        /// <summary>The reply to a chunk that is not the last: 250, or a refusal that stops the chunks.</summary>
        private bool ReadChunkReply((string Shown, bool Last, Stopwatch Timer) chunk, SmtpMessageResult result)
        {
            SmtpReply reply = ReadReply(Deadline.After(_timeouts.DataBlock, SmtpStage.Content), chunk.Shown, SmtpStage.Content, result.Path, chunk.Timer);
            if (IsExpected(reply, 250))
            {
                return true;
            }

            Refuse(reply, result, $"The server refused a chunk of '{result.Path}'; no more chunks were sent and it was not delivered");
            return false;
        }
    }
}
