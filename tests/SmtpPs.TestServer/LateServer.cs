using System.Net;
using System.Threading.Tasks;

namespace SmtpPs.TestServer
{
    /// <summary>
    /// A capture server that comes up only after a delay, on a port chosen beforehand: a relay that is
    /// down (connection refused) at the first attempt and up by the retry. Started from C#, because a
    /// PowerShell script block cannot run on a timer thread.
    /// </summary>
    public static class LateServer
    {
        public static Task<SmtpTestServer> StartCaptureServerAfter(int delayMs, string address, int port) =>
            Task.Delay(delayMs).ContinueWith(_ => SmtpTestServer.Start(new SmtpTestServerOptions
            {
                Address = IPAddress.Parse(address),
                Port = port,
            }));
    }
}
