using System.Net;
using System.Net.Sockets;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>Loopback ports for tests that need a connection to be refused.</summary>
public static class LoopbackPort
{
    /// <summary>
    /// A port on 127.0.0.1 that nothing listens on: one the OS just handed out and that was released at once,
    /// so a connection to it is refused immediately (nothing leaves the host).
    /// </summary>
    public static int Unused()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }
}
