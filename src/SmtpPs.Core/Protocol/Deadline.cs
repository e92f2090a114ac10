using System;
using System.Diagnostics;

namespace SmtpPs.Protocol
{
    /// <summary>
    /// A point in time by which a whole stage must be done. Per stage, not per read: a server that
    /// trickles one byte a second cannot extend it (hazards: H-TRICKLE).
    /// </summary>
    internal readonly struct Deadline
    {
        private readonly long _endTimestamp;

        private Deadline(TimeSpan timeout, SmtpStage stage)
        {
            Timeout = timeout;
            Stage = stage;
            _endTimestamp = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
        }

        public TimeSpan Timeout { get; }

        public SmtpStage Stage { get; }

        public static Deadline After(TimeSpan timeout, SmtpStage stage) => new Deadline(timeout, stage);

        public TimeSpan Remaining
        {
            get
            {
                long left = _endTimestamp - Stopwatch.GetTimestamp();
                return left <= 0 ? TimeSpan.Zero : TimeSpan.FromSeconds((double)left / Stopwatch.Frequency);
            }
        }

        /// <summary>Milliseconds left for one socket call, at least 1 so that 0 never means "forever".</summary>
        public int RemainingMillisecondsOrThrow()
        {
            TimeSpan left = Remaining;
            if (left <= TimeSpan.Zero)
            {
                throw Expired();
            }

            return Math.Max(1, (int)Math.Min(int.MaxValue, Math.Ceiling(left.TotalMilliseconds)));
        }

        public SmtpTimeoutException Expired() => new SmtpTimeoutException(Stage, Timeout);
    }
}
