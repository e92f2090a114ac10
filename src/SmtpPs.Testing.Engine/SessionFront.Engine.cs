using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.IO.Pipelines;
using System.Net.Security;
using System.Security.Authentication;
using System.Text;
using System.Threading.Tasks;

namespace SmtpPs.Testing.Engine
{
    /// <summary>The front's side of the pipes to SmtpServer: a command in, its whole reply out.</summary>
    internal sealed partial class SessionFront
    {
        /// <summary>Hands one command line to SmtpServer and returns its reply (null: SmtpServer ended the session).</summary>
        private async Task<Reply?> ForwardAsync(byte[] line)
        {
            byte[] bytes = new byte[line.Length + 2];
            line.CopyTo(bytes, 0);
            bytes[line.Length] = (byte)'\r';
            bytes[line.Length + 1] = (byte)'\n';
            return await ForwardRawAsync(bytes).ConfigureAwait(false);
        }

        private Task<Reply?> ForwardAsync(string line) => ForwardAsync(Utf8.GetBytes(line));

        private async Task<Reply?> ForwardRawAsync(byte[] bytes)
        {
            FlushResult flushed = await Pipe.Commands.WriteAsync(bytes, Cancel).ConfigureAwait(false);
            return flushed.IsCompleted ? null : await EngineReplyAsync().ConfigureAwait(false);
        }

        /// <summary>Reads one whole reply SmtpServer wrote (RFC 5321 4.2.1: the line with a space after the code ends it).</summary>
        private async Task<Reply?> EngineReplyAsync()
        {
            var lines = new List<string>();
            while (true)
            {
                ReadResult result = await Pipe.Replies.ReadAsync(Cancel).ConfigureAwait(false);
                ReadOnlySequence<byte> buffer = result.Buffer;
                while (true)
                {
                    SequencePosition? newline = buffer.PositionOf((byte)'\n');
                    if (newline == null)
                    {
                        break;
                    }

                    string text = Encoding.ASCII.GetString(buffer.Slice(0, newline.Value).ToArray()).TrimEnd('\r');
                    buffer = buffer.Slice(buffer.GetPosition(1, newline.Value));
                    if (text.Length < 3 || !int.TryParse(text.Substring(0, 3), out int code))
                    {
                        continue;
                    }

                    lines.Add(text.Length > 4 ? text.Substring(4) : string.Empty);
                    if (text.Length == 3 || text[3] == ' ')
                    {
                        Pipe.Replies.AdvanceTo(buffer.Start);
                        return new Reply(code, lines);
                    }
                }

                Pipe.Replies.AdvanceTo(buffer.Start, buffer.End);
                if (result.IsCompleted || result.IsCanceled)
                {
                    return null;
                }
            }
        }
    }
}
