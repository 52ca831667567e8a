using System.Net.Sockets;
using System.Text;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>A bound Unix datagram socket standing in for systemd's <c>$NOTIFY_SOCKET</c>; collects what is sent.</summary>
public sealed class NotifySocket : IDisposable
{
    private readonly Socket _socket = new(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
    private readonly TempDirectory _dir = new();

    /// <summary>Binds the socket in a fresh temporary directory.</summary>
    public NotifySocket()
    {
        Path = System.IO.Path.Combine(_dir.Path, "notify");
        _socket.Bind(new UnixDomainSocketEndPoint(Path));
    }

    /// <summary>The socket's path, to give to the notifier.</summary>
    public string Path { get; }

    /// <summary>Receives the next datagram, failing after <paramref name="timeout"/> (default 10 s).</summary>
    /// <exception cref="OperationCanceledException">Nothing arrived in time.</exception>
    public async Task<string> ReceiveAsync(TimeSpan? timeout = null)
    {
        using var bound = new CancellationTokenSource(timeout ?? TimeSpan.FromSeconds(10));
        var buffer = new byte[4096];
        var count = await _socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }

    /// <inheritdoc />
    public void Dispose()
    {
        _socket.Dispose();
        _dir.Dispose();
    }
}
