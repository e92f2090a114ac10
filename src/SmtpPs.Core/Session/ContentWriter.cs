using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using SmtpPs.Content;
using SmtpPs.Protocol;

namespace SmtpPs.Session
{
    /// <summary>
    /// Writes a message's content once the server has accepted the transaction that carries it: after
    /// DATA's 354 (RFC 5321 4.1.1.4: dot-stuffed, CRLF line ends, the final dot), or as BDAT chunks
    /// (RFC 3030: exact octet counts, no dot-stuffing) once MAIL and a RCPT were accepted. Content
    /// streams through two fixed buffers: memory does not grow with the message. Anything that stops it
    /// in the middle (a fault, a file that changed, the caller stopping) closes the connection before the
    /// end of the message is sent, because SMTP has no other way to abort content: nothing is delivered,
    /// and nothing written afterwards could be read as content.
    /// </summary>
    internal sealed class ContentWriter
    {
        /// <summary>BDAT chunks in flight before one reply is read: bounds what the server must buffer.</summary>
        private const int MaxChunksInFlight = 16;

        /// <summary>Room before the content in the write buffer for "BDAT n LAST\r\n", so that each chunk is one write.</summary>
        private const int ChunkHeaderRoom = 32;

        private readonly SmtpChannel _channel;
        private readonly IDialogueSink _sink;
        private byte[]? _readBuffer;
        private byte[]? _writeBuffer;

        public ContentWriter(SmtpChannel channel, IDialogueSink sink)
        {
            _channel = channel;
            _sink = sink;
        }

        /// <summary>The content after 354, then the final dot. From then on the outcome is Unknown until its reply is read.</summary>
        public void WriteData(MessageContent content, TransactionOutcome result)
        {
            Prepare();
            var encoder = new DataEncoder();
            _channel.Log.Client($"({content.Name}: message content)");
            Guarded(content, result, () =>
            {
                using var reader = new RecheckingReader(content);
                int read;
                while ((read = reader.Read(_readBuffer!)) > 0)
                {
                    int encoded = encoder.Encode(_readBuffer!, 0, read, _writeBuffer!);
                    _channel.WriteContent(_writeBuffer!, 0, encoded);
                    Progress(content, result, reader);
                }

                reader.ThrowIfChanged();
                int tail = encoder.Finish(_writeBuffer!);
                _channel.WriteContent(_writeBuffer!, 0, tail);
            });

            Sent(content, result, ".");
        }

        /// <summary>
        /// The content as BDAT chunks of one read block each, the last marked LAST; the replies to the
        /// other chunks are read as they must be (each one without PIPELINING, a window of them with it).
        /// Returns the reply owed for the LAST chunk, or null when a chunk was refused: that stops the
        /// chunks, and the refusal comes back in <paramref name="refusal"/>.
        /// </summary>
        public OwedReply? WriteChunks(MessageContent content, TransactionOutcome result, bool pipelining, out SmtpReply? refusal)
        {
            Prepare();
            var encoder = new DataEncoder(dotStuffing: false);
            var inFlight = new Queue<OwedReply>();
            OwedReply? last = null;
            SmtpReply? refused = null;
            _channel.Log.Client($"BDAT ({content.Name}: message content in chunks)");
            Guarded(content, result, () =>
            {
                using var reader = new RecheckingReader(content);
                while (true)
                {
                    int read = reader.Read(_readBuffer!);
                    bool isLast = read == 0 || reader.Consumed >= reader.Total;
                    int length = encoder.Encode(_readBuffer!, 0, read, _writeBuffer!, ChunkHeaderRoom);
                    if (isLast)
                    {
                        reader.ThrowIfChanged();
                        length += encoder.Finish(_writeBuffer!, ChunkHeaderRoom + length);
                    }

                    string command = $"BDAT {length.ToString(CultureInfo.InvariantCulture)}{(isLast ? " LAST" : string.Empty)}";
                    byte[] header = Encoding.ASCII.GetBytes(command + "\r\n");
                    int start = ChunkHeaderRoom - header.Length;
                    header.CopyTo(_writeBuffer!, start);
                    var owed = new OwedReply(command, isLast ? SmtpStage.EndOfData : SmtpStage.Content, content.Name, Stopwatch.StartNew(),
                        isLast ? _channel.Timeouts.EndOfData : _channel.Timeouts.DataBlock);
                    _channel.WriteContent(_writeBuffer!, start, header.Length + length);
                    Progress(content, result, reader);
                    if (isLast)
                    {
                        last = owed;
                        return;
                    }

                    inFlight.Enqueue(owed);
                    if (!pipelining || inFlight.Count > MaxChunksInFlight)
                    {
                        SmtpReply reply = Read(inFlight.Dequeue());
                        if (!Expect.Code(reply, 250))
                        {
                            // RFC 3030 2: after a refused chunk, send no more of them.
                            refused = reply;
                            return;
                        }
                    }
                }
            });

            refusal = refused;
            if (refused != null)
            {
                return null;
            }

            Sent(content, result, last!.Answers);
            while (inFlight.Count > 0)
            {
                SmtpReply reply = Read(inFlight.Dequeue());
                if (!Expect.Code(reply, 250))
                {
                    refused ??= reply;
                }
            }

            if (refused != null)
            {
                // A middle chunk was refused after the last one went out: the LAST's reply settles nothing more.
                Read(last);
                result.Status = SmtpDeliveryStatus.NotDelivered;
                refusal = refused;
                return null;
            }

            return last;
        }

        /// <summary>Reads a reply owed for content sent earlier.</summary>
        public SmtpReply Read(OwedReply owed) => _channel.Read(owed.Answers, owed.Stage, owed.Path, owed.Timer, owed.Timeout);

        private void Prepare()
        {
            _readBuffer ??= new byte[ContentScanner.BlockSize];
            _writeBuffer ??= new byte[ChunkHeaderRoom + DataEncoder.MaxEncodedLength(ContentScanner.BlockSize) + DataEncoder.MaxFinishLength];
        }

        private void Progress(MessageContent content, TransactionOutcome result, RecheckingReader reader)
        {
            result.BytesSent = reader.Consumed;
            _sink.OnProgress(content.Name, reader.Consumed, reader.Total);
        }

        /// <summary>All of the content, and its end, went out: from now on the message may have been delivered.</summary>
        private void Sent(MessageContent content, TransactionOutcome result, string end)
        {
            result.BytesSent = content.Facts.WireSize;
            result.Status = SmtpDeliveryStatus.Unknown;
            if (_channel.Log.IsDetailed)
            {
                _channel.Log.Client($"{end} ({content.Facts.WireSize} octets of message sent)");
            }
        }

        /// <summary>
        /// Runs the content out; whatever stops it before its end closes the connection first. A server
        /// that refuses a message while it is sent (a 552 for its size, say) and stops reading makes the
        /// write fail: the reply it sent says why, so it is read if it is there.
        /// </summary>
        private void Guarded(MessageContent content, TransactionOutcome result, Action write)
        {
            try
            {
                write();
            }
            catch (Exception e) when (e is SmtpTimeoutException || e is SmtpConnectionException)
            {
                SmtpReply? reply = TryReadRefusal(content);
                _channel.Abort();
                if (reply != null)
                {
                    throw new ContentRefusedException(reply, e);
                }

                throw;
            }
            catch
            {
                _channel.Abort();
                throw;
            }
        }

        private SmtpReply? TryReadRefusal(MessageContent content)
        {
            try
            {
                TimeSpan wait = _channel.Timeouts.Reset < TimeSpan.FromSeconds(5) ? _channel.Timeouts.Reset : TimeSpan.FromSeconds(5);
                return _channel.Read("(message content)", SmtpStage.Content, content.Name, Stopwatch.StartNew(), wait);
            }
            catch (SmtpException)
            {
                return null; // no reply either: the write failure is the whole story
            }
        }
    }

    /// <summary>A reply owed for something already sent (a final dot, a BDAT chunk), to be read in order.</summary>
    internal sealed class OwedReply
    {
        public OwedReply(string answers, SmtpStage stage, string? path, Stopwatch timer, TimeSpan timeout)
        {
            Answers = answers;
            Stage = stage;
            Path = path;
            Timer = timer;
            Timeout = timeout;
        }

        /// <summary>What the reply answers, as its Command shows: "(end of data)", "BDAT 1234 LAST".</summary>
        public string Answers { get; }

        public SmtpStage Stage { get; }

        public string? Path { get; }

        public Stopwatch Timer { get; }

        public TimeSpan Timeout { get; }
    }

    /// <summary>The server refused a message while its content was being sent, and stopped reading.</summary>
    internal sealed class ContentRefusedException : Exception
    {
        public ContentRefusedException(SmtpReply reply, Exception writeFailure)
            : base(writeFailure.Message, writeFailure)
        {
            Reply = reply;
        }

        public SmtpReply Reply { get; }
    }
}
