using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using SmtpPs.Content;
using SmtpPs.Protocol;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// Property checks of the protocol core, run from Pester: thousands of random inputs, each checked
    /// against an independent statement of the rule. Each method returns null when every case holds,
    /// else the first failing case, with its seed and input, so that it can be replayed.
    /// </summary>
    public static class CoreProperties
    {
        /// <summary>
        /// The DATA encoder, fed random bytes (mostly CR, LF and '.') split at random buffer boundaries:
        /// the wire invariant holds, and unstuffing gives back the input with every line break as CRLF.
        /// </summary>
        public static string? CheckDataEncoder(int seed, int cases)
        {
            var random = new Random(seed);
            byte[] alphabet = { (byte)'\r', (byte)'\r', (byte)'\n', (byte)'\n', (byte)'.', (byte)'.', (byte)'a', (byte)' ', 0xE9 };
            byte[] plain = { (byte)'a', (byte)'b', (byte)' ', (byte)'.', 0xC3, 0xA9 };
            for (int c = 0; c < cases; c++)
            {
                byte[] input = new byte[random.Next(1, 600)];
                bool sparse = c % 2 == 0; // half the cases: long runs without line breaks, for the 8-byte steps
                for (int i = 0; i < input.Length; i++)
                {
                    input[i] = sparse && random.Next(20) != 0 ? plain[random.Next(plain.Length)] : alphabet[random.Next(alphabet.Length)];
                }

                var encoder = new DataEncoder();
                var wire = new List<byte>();
                int offset = 0;
                while (offset < input.Length)
                {
                    int chunk = Math.Min(input.Length - offset, random.Next(1, 40));
                    var output = new byte[DataEncoder.MaxEncodedLength(chunk)];
                    int written = encoder.Encode(input, offset, chunk, output);
                    wire.AddRange(output.Take(written));
                    offset += chunk;
                }

                var tail = new byte[DataEncoder.MaxFinishLength];
                wire.AddRange(tail.Take(encoder.Finish(tail)));
                byte[] section = wire.ToArray();
                string? broken = Wire.CheckDataInvariant(section);
                if (broken == null && !Wire.Unstuff(section).SequenceEqual(Normalise(input)))
                {
                    broken = "unstuffing does not give back the normalised input";
                }

                if (broken == null)
                {
                    // The pre-flight scan must agree with the encoder: SIZE= is the normalised length.
                    ContentFacts facts = ContentScanner.Scan(new MemoryStream(input), new byte[4096], default);
                    if (facts.WireSize != Normalise(input).Length || facts.HasEightBit != input.Any(b => b > 0x7F))
                    {
                        broken = $"the scan says {facts.WireSize} octets, 8-bit {facts.HasEightBit}";
                    }
                }

                if (broken != null)
                {
                    return $"case {c} (seed {seed}): {broken}; input {Convert.ToHexString(input)}";
                }
            }

            return null;
        }

        /// <summary>
        /// The reply reader, fed random valid replies split at random points (down to one byte per read):
        /// every reply parses to the code and lines it was made of.
        /// </summary>
        public static string? CheckReplyReader(int seed, int cases)
        {
            var random = new Random(seed);
            for (int c = 0; c < cases; c++)
            {
                var expected = new List<(int Code, string[] Lines)>();
                var bytes = new List<byte>();
                int count = random.Next(1, 5);
                for (int r = 0; r < count; r++)
                {
                    int code = random.Next(200, 600);
                    string[] lines = Enumerable.Range(0, random.Next(1, 8)).Select(_ => RandomText(random)).ToArray();
                    expected.Add((code, lines));
                    for (int l = 0; l < lines.Length; l++)
                    {
                        bool last = l == lines.Length - 1;
                        string separator = last ? (lines[l].Length == 0 && random.Next(2) == 0 ? string.Empty : " ") : "-";
                        string ending = random.Next(4) == 0 ? "\n" : "\r\n";
                        bytes.AddRange(Encoding.ASCII.GetBytes($"{code}{separator}{lines[l]}{ending}"));
                    }
                }

                var reader = new ReplyReader(new ChunkedSource(bytes.ToArray(), random));
                foreach ((int code, string[] lines) in expected)
                {
                    RawReply reply;
                    try
                    {
                        reply = reader.Read(Deadline.After(TimeSpan.FromSeconds(5), SmtpStage.Ehlo));
                    }
                    catch (SmtpException e)
                    {
                        return $"case {c} (seed {seed}): {e.Message}; input {Encoding.ASCII.GetString(bytes.ToArray())}";
                    }

                    if (reply.Code != code || !reply.Lines.SequenceEqual(lines))
                    {
                        return $"case {c} (seed {seed}): parsed {reply.Code} [{string.Join("|", reply.Lines)}], sent {code} [{string.Join("|", lines)}]";
                    }
                }
            }

            return null;
        }

        /// <summary>
        /// The reply reader, fed random garbage or an endless stream of continuation lines: it ends in a
        /// protocol error or a closed connection, never another exception, and reads a bounded amount.
        /// </summary>
        public static string? CheckReplyReaderOnGarbage(int seed, int cases)
        {
            var random = new Random(seed);
            for (int c = 0; c < cases; c++)
            {
                ChunkedSource source;
                if (c % 4 == 0)
                {
                    source = ChunkedSource.Endless(Encoding.ASCII.GetBytes("250-" + RandomText(random) + "\r\n"), random);
                }
                else
                {
                    var garbage = new byte[random.Next(1, 20000)];
                    random.NextBytes(garbage);
                    if (c % 4 == 1)
                    {
                        Encoding.ASCII.GetBytes("250-ok\r\n").CopyTo(garbage, 0); // valid start, garbage after
                    }

                    source = new ChunkedSource(garbage, random);
                }

                var reader = new ReplyReader(source);
                try
                {
                    for (int r = 0; r < 100; r++)
                    {
                        reader.Read(Deadline.After(TimeSpan.FromSeconds(5), SmtpStage.Ehlo));
                    }
                }
                catch (SmtpProtocolException)
                {
                }
                catch (SmtpConnectionException)
                {
                }
                catch (Exception e)
                {
                    return $"case {c} (seed {seed}): {e.GetType().Name}: {e.Message}";
                }

                // 256 lines of at most 8192 octets, plus one buffer: the most any single reply may cost.
                const long Bound = (ReplyReader.MaxLines + 1) * (long)ReplyReader.MaxLineLength * 100;
                if (source.BytesServed > Bound)
                {
                    return $"case {c} (seed {seed}): read {source.BytesServed} octets";
                }
            }

            return null;
        }

        private static string RandomText(Random random)
        {
            var text = new char[random.Next(0, 60)];
            for (int i = 0; i < text.Length; i++)
            {
                text[i] = (char)random.Next(0x20, 0x7F);
            }

            return new string(text).Trim();
        }

        /// <summary>The rule, stated independently: every CRLF, bare CR and bare LF is one CRLF; a final one is added.</summary>
        private static byte[] Normalise(byte[] input)
        {
            var output = new List<byte>();
            for (int i = 0; i < input.Length; i++)
            {
                if (input[i] == '\r' || input[i] == '\n')
                {
                    if (input[i] == '\r' && i + 1 < input.Length && input[i + 1] == '\n')
                    {
                        i++;
                    }

                    output.Add((byte)'\r');
                    output.Add((byte)'\n');
                    continue;
                }

                output.Add(input[i]);
            }

            if (output.Count < 2 || output[^2] != '\r' || output[^1] != '\n')
            {
                output.Add((byte)'\r');
                output.Add((byte)'\n');
            }

            return output.ToArray();
        }

        /// <summary>Serves bytes in random chunks (often one byte), then end of stream; or the same line forever.</summary>
        private sealed class ChunkedSource : IReplySource
        {
            private readonly byte[] _bytes;
            private readonly Random _random;
            private readonly bool _endless;
            private int _position;

            public ChunkedSource(byte[] bytes, Random random, bool endless = false)
            {
                _bytes = bytes;
                _random = random;
                _endless = endless;
            }

            public long BytesServed { get; private set; }

            public static ChunkedSource Endless(byte[] line, Random random) => new ChunkedSource(line, random, endless: true);

            public int Read(byte[] buffer, int offset, int count, Deadline deadline)
            {
                if (_position == _bytes.Length)
                {
                    if (!_endless)
                    {
                        return 0;
                    }

                    _position = 0;
                }

                int size = Math.Min(Math.Min(count, _bytes.Length - _position), _random.Next(3) == 0 ? 1 : _random.Next(1, 64));
                Array.Copy(_bytes, _position, buffer, offset, size);
                _position += size;
                BytesServed += size;
                return size;
            }
        }
    }
}
