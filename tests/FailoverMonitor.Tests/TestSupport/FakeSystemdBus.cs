using System.Collections.Concurrent;
using FakeCloudflareApi;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>
/// A real D-Bus peer for component tests: Debian's <c>dbus-daemon</c> on a private socket in a temporary folder,
/// with the fake API project's <see cref="FakeSystemd"/> on it, answering <c>Manager.ListUnitsByNames</c> from
/// <see cref="Units"/> and <see cref="Jobs"/> (any other unit: <c>not-found</c>, <c>inactive</c>).
/// </summary>
public sealed class FakeSystemdBus : IAsyncDisposable
{
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(10);
    private readonly TempDirectory _directory = new();
    private DBusDaemon? _daemon;
    private FakeSystemd? _systemd;

    private FakeSystemdBus() => Address = $"unix:path={Path.Combine(_directory.Path, "bus")}";

    /// <summary>Where <c>dbus-daemon</c> lives; the tests that need it skip when it is missing.</summary>
    public const string DaemonPath = DBusDaemon.DaemonPath;

    /// <summary>The bus's D-Bus address, <c>unix:path=…</c>.</summary>
    public string Address { get; }

    /// <summary>Known units by full name (<c>x.service</c>): their LoadState and ActiveState.</summary>
    public ConcurrentDictionary<string, (string LoadState, string ActiveState)> Units { get; } = new(StringComparer.Ordinal);

    /// <summary>The names of every <c>ListUnitsByNames</c> call, in order.</summary>
    public ConcurrentQueue<string[]> Calls { get; } = new();

    /// <summary>The type of a unit's queued job (<c>stop</c>, <c>start</c>, …) by full unit name; none when absent.</summary>
    public ConcurrentDictionary<string, string> Jobs { get; } = new(StringComparer.Ordinal);

    /// <summary>Starts the bus and the fake systemd on it.</summary>
    public static async Task<FakeSystemdBus> StartAsync(CancellationToken cancellationToken)
    {
        var bus = new FakeSystemdBus();
        await bus.RestartAsync(cancellationToken).ConfigureAwait(false);
        return bus;
    }

    /// <summary>Kills the bus (every connection to it drops) and starts a new one on the same socket.</summary>
    public async Task RestartAsync(CancellationToken cancellationToken)
    {
        await StopAsync().ConfigureAwait(false);
        var socket = Address["unix:path=".Length..];
        File.Delete(socket);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        _daemon = await DBusDaemon.StartAsync(socket, timeout.Token).ConfigureAwait(false);
        _systemd = await FakeSystemd.ConnectAsync(Address, Lookup, Calls.Enqueue, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>The fake systemd gives up its name: calls to it get the bus's NameHasNoOwner error.</summary>
    public Task ReleaseSystemdNameAsync(CancellationToken cancellationToken) =>
        _systemd!.ReleaseNameAsync(cancellationToken).WaitAsync(StartTimeout, cancellationToken);

    /// <inheritdoc />
    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _directory.Dispose();
    }

    private async Task StopAsync()
    {
        _systemd?.Dispose();
        _systemd = null;
        if (_daemon is { } daemon)
        {
            _daemon = null;
            await daemon.DisposeAsync().ConfigureAwait(false);
        }
    }

    private FakeUnitState Lookup(string name)
    {
        var (loadState, activeState) = Units.GetValueOrDefault(name, ("not-found", "inactive"));
        return new FakeUnitState(loadState, activeState, Jobs.GetValueOrDefault(name, ""));
    }
}
