using FailoverMonitor.Commands;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;

namespace FailoverMonitor.Tests.Commands;

/// <summary>
/// The whole daemon as <c>failover-monitor run --dry-run</c> starts it (real host, real HTTP to the fake Cloudflare
/// API on loopback, unit states over D-Bus from a fake systemd on a private <c>dbus-daemon</c>, a real state file
/// and log file in a temporary directory), stopped the way SIGTERM stops it. It sets the process's D-Bus address
/// variable, so it runs alone.
/// </summary>
[Collection(EnvironmentCollection.Name)]
public sealed class RunCommandTests : IAsyncLifetime
{
    private const string Account = "0123456789abcdef0123456789abcdef";
    private const string TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
    private const string Secret = "run-command-secret-Vc5Np";

    private readonly TempDirectory _dir = new();
    private FakeCloudflare _api = null!;
    private FakeSystemdBus? _systemd;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string StatePath => Path.Combine(_dir.Path, "state", "state.json");

    private string LogPath => Path.Combine(_dir.Path, "failover_monitor.log");

    public async ValueTask InitializeAsync()
    {
        _api = await FakeCloudflare.StartAsync(ct: Ct);
        _api.AddTunnel(Account, TunnelId, "web", Secret);
        _api.AddConnector(TunnelId, "primary-connector");
        if (File.Exists(FakeSystemdBus.DaemonPath))
        {
            _systemd = await FakeSystemdBus.StartAsync(Ct);
            _systemd.Units["cloudflared-backup.service"] = ("loaded", "inactive");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _api.DisposeAsync();
        if (_systemd is not null)
        {
            await _systemd.DisposeAsync();
        }

        _dir.Dispose();
    }

    [Fact]
    public async Task RunAsync_ValidConfigStoppedOnPurpose_Exit0AfterPublishingThenWithdrawingTheState()
    {
        Assert.SkipWhen(_systemd is null, $"needs {FakeSystemdBus.DaemonPath} (Debian package dbus-daemon)");
        using var bus = EnvironmentVariable.Set(UnitStateReaderServiceCollectionExtensions.AddressVariable, _systemd!.Address);
        // check_interval 60: after its first cycle the loop waits, so stopping it cannot race a cycle in flight.
        var config = _dir.Write("tunnels.json", $$"""
            { "gateway_ip": "127.0.0.1", "check_interval": 60, "api_base_url": "{{_api.BaseUrl}}",
              "state_file": "{{StatePath}}", "log_file": "{{LogPath}}",
              "tunnels": [ { "name": "web", "account_id": "{{Account}}", "tunnel_id": "{{TunnelId}}", "token": "{{Secret}}", "service": "cloudflared-backup" } ] }
            """);
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(Ct);
        bound.CancelAfter(FakeTimeProvider.DefaultWait);
        using var changes = new StateFileChanges(StatePath);

        var run = RunCommand.RunAsync(config, dryRun: true, stop.Token);
        // The state file is written at start-up (no status yet) and after every cycle: a status means a cycle ended.
        var published = await changes.WaitForAsync(s => s.Tunnels is [{ Status: not null }], bound.Token);
        await stop.CancelAsync();
        var exit = await run.WaitAsync(bound.Token);

        Assert.Equal(ExitCodes.Ok, exit);
        Assert.Equal(Environment.ProcessId, published.Pid);
        Assert.True(published.DryRun);
        Assert.Equal(config, published.ConfigPath);
        Assert.Equal("healthy", Assert.Single(published.Tunnels).Status);
        Assert.False(File.Exists(StatePath)); // withdrawn at shutdown, so `status` sees no daemon
        var log = await File.ReadAllTextAsync(LogPath, Ct);
        Assert.NotEmpty(log);
        Assert.DoesNotContain(Secret, log, StringComparison.Ordinal);
    }

    /// <summary>Watches the state file, which is renamed into place at every write.</summary>
    private sealed class StateFileChanges : IDisposable
    {
        private readonly StateFile _file;
        private readonly FileSystemWatcher _watcher;
        private readonly SemaphoreSlim _changed = new(0);

        public StateFileChanges(string path)
        {
            _file = new StateFile(path);
            Directory.CreateDirectory(Path.GetDirectoryName(path)!);
            _watcher = new FileSystemWatcher(Path.GetDirectoryName(path)!, Path.GetFileName(path));
            _watcher.Renamed += (_, _) => _changed.Release();
            _watcher.Created += (_, _) => _changed.Release();
            _watcher.EnableRaisingEvents = true;
        }

        /// <summary>The first snapshot that satisfies <paramref name="condition"/>, read after each write.</summary>
        public async Task<StatusSnapshot> WaitForAsync(Func<StatusSnapshot, bool> condition, CancellationToken cancellationToken)
        {
            while (true)
            {
                if (_file.Read() is { } snapshot && condition(snapshot))
                {
                    return snapshot;
                }

                await _changed.WaitAsync(cancellationToken);
            }
        }

        public void Dispose()
        {
            _watcher.Dispose();
            _changed.Dispose();
        }
    }
}
