using System.Net.Sockets;
using System.Text;
using FailoverMonitor.Systemd;
using Microsoft.Extensions.Hosting.Systemd;

namespace FailoverMonitor.Tests.Systemd;

/// <summary><see cref="NonBlockingSystemdNotifier"/> against a real Unix datagram socket standing in for systemd's.</summary>
public sealed class NonBlockingSystemdNotifierTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fm-notify-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task Notify_SocketPath_DatagramHoldsExactlyTheState()
    {
        var path = Path.Combine(_directory.FullName, "notify");
        using var systemd = Bind(path);
        var notifier = new NonBlockingSystemdNotifier(path);

        notifier.Notify(ServiceState.Ready);

        Assert.True(notifier.IsEnabled);
        Assert.Equal("READY=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_SeveralStates_EachItsOwnDatagramInOrder()
    {
        var path = Path.Combine(_directory.FullName, "notify");
        using var systemd = Bind(path);
        var notifier = new NonBlockingSystemdNotifier(path);

        notifier.Notify(new ServiceState("STATUS=watching 2 tunnels"));
        notifier.Notify(new ServiceState("WATCHDOG=1"));

        Assert.Equal("STATUS=watching 2 tunnels", await ReceiveAsync(systemd));
        Assert.Equal("WATCHDOG=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_AbstractNamespacePath_SentToAbstractSocket()
    {
        var name = "fm-notify-test-" + Guid.NewGuid().ToString("N");
        using var systemd = Bind("\0" + name);
        var notifier = new NonBlockingSystemdNotifier("@" + name);

        notifier.Notify(ServiceState.Ready);

        Assert.Equal("READY=1", await ReceiveAsync(systemd));
    }

    [Fact]
    public async Task Notify_ReceiverStopsReading_NeverBlocks()
    {
        // systemd always reads; a receiver that does not must not stall the loop once its queue is full (the
        // library's own notifier blocks there after a few datagrams).
        var path = Path.Combine(_directory.FullName, "full.sock");
        using var receiver = Bind(path);
        var notifier = new NonBlockingSystemdNotifier(path);

        await Task.Run(() =>
            {
                for (var i = 0; i < 10_000; i++)
                {
                    notifier.Notify(new ServiceState($"WATCHDOG=1\nSTATUS=cycle {i} " + new string('x', 200)));
                }
            }, Ct)
            .WaitAsync(TimeSpan.FromSeconds(20), Ct);

        Assert.StartsWith("WATCHDOG=1\nSTATUS=cycle 0 ", await ReceiveAsync(receiver));
    }

    [Fact]
    public void Notify_NobodyListening_DoesNotThrow()
    {
        var notifier = new NonBlockingSystemdNotifier(Path.Combine(_directory.FullName, "absent"));

        var thrown = Record.Exception(() => notifier.Notify(ServiceState.Ready));

        Assert.True(notifier.IsEnabled);
        Assert.Null(thrown);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    public void Notify_NoSocket_DisabledAndDoesNotThrow(string? socketPath)
    {
        var notifier = new NonBlockingSystemdNotifier(socketPath);

        var thrown = Record.Exception(() => notifier.Notify(ServiceState.Ready));

        Assert.False(notifier.IsEnabled);
        Assert.Null(thrown);
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
