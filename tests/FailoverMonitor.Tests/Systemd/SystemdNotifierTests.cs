using System.Net.Sockets;
using System.Text;
using FailoverMonitor.Systemd;

namespace FailoverMonitor.Tests.Systemd;

/// <summary><see cref="SystemdNotifier"/> against a real Unix datagram socket standing in for systemd's.</summary>
public sealed class SystemdNotifierTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fm-notify-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Notify_SocketPath_DatagramHoldsExactlyTheState()
    {
        var path = Path.Combine(_directory.FullName, "notify");
        using var systemd = Bind(path);
        var notifier = new SystemdNotifier(path);

        var sent = notifier.Notify("READY=1");

        Assert.True(notifier.IsEnabled);
        Assert.True(sent);
        Assert.Equal("READY=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_SeveralStates_EachItsOwnDatagramInOrder()
    {
        var path = Path.Combine(_directory.FullName, "notify");
        using var systemd = Bind(path);
        var notifier = new SystemdNotifier(path);

        notifier.Notify("STATUS=watching 2 tunnels");
        notifier.Notify("WATCHDOG=1");

        Assert.Equal("STATUS=watching 2 tunnels", await ReceiveAsync(systemd));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_AbstractNamespacePath_SentToAbstractSocket()
    {
        var name = "fm-notify-test-" + Guid.NewGuid().ToString("N");
        using var systemd = Bind("\0" + name);
        var notifier = new SystemdNotifier("@" + name);

        Assert.True(notifier.Notify("READY=1"));

        Assert.Equal("READY=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_ReceiverStopsReading_NeverBlocks()
    {
        // systemd always reads; a receiver that does not must not stall the loop once its queue is full.
        var path = Path.Combine(_directory.FullName, "full.sock");
        using var receiver = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.Unix, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Unspecified);
        receiver.Bind(new System.Net.Sockets.UnixDomainSocketEndPoint(path));
        var notifier = new SystemdNotifier(path);

        var sent = await Task.Run(() => Enumerable.Range(0, 10_000).Count(i => notifier.Notify($"WATCHDOG=1\nSTATUS=cycle {i} " + new string('x', 200))), TestContext.Current.CancellationToken)
            .WaitAsync(TimeSpan.FromSeconds(20), TestContext.Current.CancellationToken);

        Assert.InRange(sent, 1, 9_999);
    }

    [Fact]
    public void Notify_NobodyListening_ReturnsFalseWithoutThrowing()
    {
        var notifier = new SystemdNotifier(Path.Combine(_directory.FullName, "absent"));

        Assert.True(notifier.IsEnabled);
        Assert.False(notifier.Notify("READY=1"));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Notify_NoSocket_DisabledAndReturnsFalse(string? socketPath)
    {
        var notifier = new SystemdNotifier(socketPath);

        Assert.False(notifier.IsEnabled);
        Assert.False(notifier.Notify("READY=1"));
    }

    private static Socket Bind(string path)
    {
        var socket = new Socket(AddressFamily.Unix, SocketType.Dgram, ProtocolType.Unspecified);
        socket.Bind(new UnixDomainSocketEndPoint(path));
        return socket;
    }

    private static async Task<string> ReceiveAsync(Socket socket)
    {
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(TimeSpan.FromSeconds(5));
        var buffer = new byte[4096];
        var count = await socket.ReceiveAsync(buffer, SocketFlags.None, bound.Token);
        return Encoding.UTF8.GetString(buffer, 0, count);
    }
}
