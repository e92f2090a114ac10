using System.Diagnostics;
using System.Globalization;
using System.Management.Automation;

namespace SmtpPs.Commands
{
    /// <summary>
    /// Write-Progress for a batch: which message is going (at most five updates a second, so that a batch
    /// of thousands does not spend its time drawing) and, for a large message, how much of it has gone.
    /// </summary>
    internal sealed class ProgressReporter
    {
        private const int BatchId = 1;
        private const int MessageId = 2;

        /// <summary>Messages smaller than this go too fast for a bar of their own.</summary>
        private const long LargeMessage = 1024 * 1024;

        private readonly Cmdlet _cmdlet;
        private readonly string _activity;
        private readonly Stopwatch _sinceUpdate = new Stopwatch();
        private int _count;
        private int _lastPercent = -1;

        public ProgressReporter(Cmdlet cmdlet, string activity)
        {
            _cmdlet = cmdlet;
            _activity = activity;
        }

        /// <summary>The next message is about to go.</summary>
        public void Message(string name)
        {
            _count++;
            _lastPercent = -1;
            if (!_sinceUpdate.IsRunning || _sinceUpdate.ElapsedMilliseconds >= 200)
            {
                _cmdlet.WriteProgress(new ProgressRecord(BatchId, _activity, $"File {_count}: {System.IO.Path.GetFileName(name)}"));
                _sinceUpdate.Restart();
            }
        }

        /// <summary>Octets of a message's content sent: at most once per percent, and only for large messages.</summary>
        public void Content(string name, long done, long total)
        {
            if (total < LargeMessage)
            {
                return;
            }

            int percent = (int)(done * 100 / total);
            if (percent == _lastPercent)
            {
                return;
            }

            _lastPercent = percent;
            _cmdlet.WriteProgress(new ProgressRecord(MessageId, $"Sending {System.IO.Path.GetFileName(name)}",
                $"{done.ToString("N0", CultureInfo.InvariantCulture)} of {total.ToString("N0", CultureInfo.InvariantCulture)} octets")
            {
                ParentActivityId = BatchId,
                PercentComplete = percent,
                RecordType = done >= total ? ProgressRecordType.Completed : ProgressRecordType.Processing,
            });
        }

        public void Done() =>
            _cmdlet.WriteProgress(new ProgressRecord(BatchId, _activity, "Done") { RecordType = ProgressRecordType.Completed });
    }
}
