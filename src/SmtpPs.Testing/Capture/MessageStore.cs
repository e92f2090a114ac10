using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;

namespace SmtpPs.Testing
{
    /// <summary>The accepted messages of one server, in arrival order, with a bounded wait for more.</summary>
    internal sealed class MessageStore
    {
        private readonly List<SmtpTestMessage> _messages = new List<SmtpTestMessage>();
        private int _numbered;

        internal void Add(SmtpTestMessage message)
        {
            lock (_messages)
            {
                message.Number = ++_numbered;
                _messages.Add(message);
                Monitor.PulseAll(_messages);
            }
        }

        internal IReadOnlyList<SmtpTestMessage> Snapshot()
        {
            lock (_messages)
            {
                return _messages.ToArray();
            }
        }

        internal void Clear()
        {
            lock (_messages)
            {
                _messages.Clear();
            }
        }

        /// <summary>
        /// Waits until at least <paramref name="count"/> messages match, the timeout passes or the token is
        /// cancelled; returns the matching messages and whether there were enough.
        /// </summary>
        internal IReadOnlyList<SmtpTestMessage> Wait(Func<SmtpTestMessage, bool> filter, int count, TimeSpan timeout, CancellationToken cancel, out bool enough)
        {
            DateTime end = DateTime.UtcNow + timeout;
            using (cancel.Register(() =>
            {
                lock (_messages)
                {
                    Monitor.PulseAll(_messages);
                }
            }))
            {
                lock (_messages)
                {
                    while (true)
                    {
                        SmtpTestMessage[] matching = _messages.Where(filter).ToArray();
                        TimeSpan left = end - DateTime.UtcNow;
                        if (matching.Length >= count || left <= TimeSpan.Zero || cancel.IsCancellationRequested)
                        {
                            enough = matching.Length >= count;
                            return matching;
                        }

                        Monitor.Wait(_messages, left);
                    }
                }
            }
        }
    }
}
