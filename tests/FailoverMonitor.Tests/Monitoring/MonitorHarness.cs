using System.Text.Json.Nodes;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;
using FailoverMonitor.ServiceControl;
using FailoverMonitor.Status;
using FailoverMonitor.Systemd;
using FailoverMonitor.Tests.TestSupport;
using FakeCloudflareApi;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>
/// A <see cref="MonitorWorker"/> wired to the fake Cloudflare API over loopback, an in-memory systemd behind the
/// real <see cref="SystemctlServiceController"/>, a fake gateway and a fake clock. Starting a backup unit makes
/// a connector join the fake API (as a real <c>cloudflared</c> would); stopping it makes it leave.
/// </summary>
internal sealed class MonitorHarness : IAsyncDisposable
{
    public const string Account = "0123456789abcdef0123456789abcdef";
    public const string Token = "Zx9-harness-token-secret-0042";
    public const string PrimaryConnector = "primary-connector";
    public const string BackupConnector = "backup-connector";

    private MonitorHarness(FakeCloudflare api, LoadedConfiguration loaded, TempDirectory dir, NotifySocket? notify)
    {
        Directory = dir;
        Api = api;
        Loaded = loaded;
        Notify = notify;
        Wall = new WallJumpTimeProvider(Clock);
        Usage = new ApiUsage(Clock);
        Units.OnStart = unit => Api.AddConnector(TunnelFor(unit).TunnelId, BackupConnector);
        Units.OnStop = unit => Api.RemoveConnector(TunnelFor(unit).TunnelId, BackupConnector);
        var client = new CloudflareTunnelClient(new HttpClient { BaseAddress = api.BaseUrl }, CloudflareResilience.Build(Settings.Api, Clock), Usage);
        var services = new SystemctlServiceController(Units.Runner, new SystemctlUnitStateReader(Units.Runner));
        var loggers = Logs.CreateFactory();
        Status = new StatusPublisher(new StateFile(StatePath), Usage, Wall, new RunMode(DryRun: false), loggers.CreateLogger<StatusPublisher>());
        Worker = new MonitorWorker(
            new TunnelSet(loaded, new ConfigurationSource(ConfigPath), Wall, loggers.CreateLogger<TunnelSet>()),
            new GatewayWatch(Gateway, Settings.Gateway, Wall, loggers.CreateLogger<GatewayWatch>()),
            new UnitStateTracker(services, Wall, loggers.CreateLogger<UnitStateTracker>()),
            new TunnelObserver(client, new CloudflaredReadyClient(new HttpClient())),
            new ObservationLog(Observers, loggers.CreateLogger<ObservationLog>()),
            new ActionExecutor(services, Observers, Wall, loggers.CreateLogger<ActionExecutor>()),
            new StartupChecks(new TokenVerifier(client, Clock), services, loggers.CreateLogger<StartupChecks>()),
            new NonBlockingSystemdNotifier(notify?.Path),
            Status,
            Observers,
            Wall,
            loggers.CreateLogger<MonitorWorker>());
    }

    public FakeCloudflare Api { get; }

    public TempDirectory Directory { get; }

    /// <summary>The state file the worker writes for <c>failover-monitor status</c>.</summary>
    public string StatePath => Path.Combine(Directory.Path, "state.json");

    /// <summary>The configuration file the worker reloads from.</summary>
    public string ConfigPath => Path.Combine(Directory.Path, "tunnels.json");

    /// <summary>What the loader made of the file at <see cref="ConfigPath"/>: the worker's configuration at start.</summary>
    public LoadedConfiguration Loaded { get; }

    public MonitorSettings Settings => Loaded.Settings;

    public NotifySocket? Notify { get; }

    public FakeTimeProvider Clock { get; } = new();

    /// <summary>The worker's clock: <see cref="Clock"/>, with a wall clock a test can set back or forward.</summary>
    public WallJumpTimeProvider Wall { get; }

    public ApiUsage Usage { get; }

    public FakeUnits Units { get; } = new();

    public FakeGatewayProbe Gateway { get; } = new();

    /// <summary>Observers given to the worker (add before it runs).</summary>
    public List<IMonitorObserver> Observers { get; } = [];

    public FakeLogCollector Logs { get; } = new();

    public MonitorWorker Worker { get; }

    /// <summary>Where the worker publishes its snapshots (the state file at <see cref="StatePath"/>).</summary>
    public StatusPublisher Status { get; }

    public TunnelSettings Tunnel => Settings.Tunnels[0];

    /// <summary>
    /// Starts the fake API with <paramref name="tunnels"/> tunnels in one account, each with a live primary connector,
    /// and writes their <c>tunnels.json</c>, which <paramref name="configure"/> may edit by key first.
    /// </summary>
    public static async Task<MonitorHarness> StartAsync(int tunnels = 1, bool withNotifySocket = false, Action<JsonObject>? configure = null)
    {
        var api = await FakeCloudflare.StartAsync();
        var file = new JsonObject
        {
            ["gateway_ip"] = "192.0.2.1",
            ["check_interval"] = 1,
            ["api_base_url"] = api.BaseUrl.ToString(),
            ["tunnels"] = new JsonArray([.. Enumerable.Range(0, tunnels).Select(i => TunnelJson($"web{i}", Guid.NewGuid().ToString(), $"cloudflared-backup{i}"))]),
        };
        configure?.Invoke(file);
        var dir = new TempDirectory();
        WriteConfig(Path.Combine(dir.Path, "tunnels.json"), file);
        var loaded = ConfigurationLoader.Load(Path.Combine(dir.Path, "tunnels.json"));
        foreach (var tunnel in loaded.Settings.Tunnels)
        {
            api.AddTunnel(Account, tunnel.TunnelId, tunnel.Name, Token);
            api.AddConnector(tunnel.TunnelId, PrimaryConnector);
        }

        return new MonitorHarness(api, loaded, dir, withNotifySocket ? new NotifySocket() : null);
    }

    /// <summary>A <c>tunnels[]</c> entry in the harness's account, with its token inline.</summary>
    public static JsonObject TunnelJson(string name, string tunnelId, string service) =>
        new() { ["name"] = name, ["account_id"] = Account, ["tunnel_id"] = tunnelId, ["token"] = Token, ["service"] = service };

    /// <summary>Writes <paramref name="file"/> as a <c>tunnels.json</c> (mode 600, as the installer leaves it).</summary>
    public static void WriteConfig(string path, JsonObject file)
    {
        File.WriteAllText(path, file.ToJsonString());
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
    }

    /// <summary>Runs one cycle, then moves the clock one interval on (as the loop's delay would).</summary>
    public async Task CycleAsync(int count = 1)
    {
        for (var i = 0; i < count; i++)
        {
            await Worker.RunCycleAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(30));
            Clock.Advance(Settings.Checks.CheckInterval);
        }
    }

    /// <summary>
    /// Runs one cycle whose API calls wait on retry back-offs: the clock moves to each back-off once it is armed,
    /// never while a request is in flight, so no timeout fires however slow the loopback I/O is.
    /// </summary>
    public Task CycleFiringRetryDelaysAsync() => Clock.FireDelaysUntilAsync(Worker.RunCycleAsync(CancellationToken.None));

    /// <summary>
    /// Initialises the worker, takes every primary connector away and runs two cycles: with the default failure
    /// threshold (2) the second one starts the backups.
    /// </summary>
    /// <returns>The fake clock's time at the cycle that started the backups.</returns>
    public async Task<DateTimeOffset> FailOverAsync()
    {
        await Worker.InitializeAsync(CancellationToken.None);
        PrimaryLeaves();
        await CycleAsync(2);
        return Clock.GetUtcNow() - Settings.Checks.CheckInterval;
    }

    public void PrimaryLeaves()
    {
        foreach (var tunnel in Settings.Tunnels)
        {
            Api.RemoveConnector(tunnel.TunnelId, PrimaryConnector);
        }
    }

    public void PrimaryReturns()
    {
        foreach (var tunnel in Settings.Tunnels)
        {
            Api.AddConnector(tunnel.TunnelId, PrimaryConnector);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Notify?.Dispose();
        await Api.DisposeAsync();
        Directory.Dispose();
    }

    private TunnelSettings TunnelFor(string unit) => Settings.Tunnels.Single(t => t.Service == unit);
}
