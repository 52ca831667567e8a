using System.Diagnostics.Metrics;
using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Metrics;

/// <summary>
/// The monitor's instruments, on the <see cref="System.Diagnostics.Metrics.Meter"/> <see cref="MeterName"/>.
/// Readings (status, backup, connectors, hold, gateway, API budget) are observable gauges over the last
/// <see cref="MonitorSnapshot"/> the monitor published (<see cref="OnPublished"/>); events (actions, holds, configuration problems, API calls, cycle durations) are
/// counted as they happen. Tunnels are labelled <c>tunnel</c> by name; tokens are labelled <c>token</c> by the
/// names of the tunnels that use them, never by their value. Names are listed in the README ("Metrics").
/// </summary>
public sealed class MonitorMetrics : IMonitorObserver, IDisposable
{
    /// <summary>The meter's name, for <c>dotnet-counters</c> and OpenTelemetry's <c>AddMeter</c>.</summary>
    public const string MeterName = "FailoverMonitor";

    /// <summary>Values of the <c>status</c> label of <c>failover_monitor.tunnel.status</c>: Cloudflare's statuses, and <c>unknown</c> when the API gave no usable answer.</summary>
    public static readonly IReadOnlyList<string> Statuses = ["healthy", "degraded", "down", "inactive", "unknown"];

    // Cycles and API calls take milliseconds to a few seconds; a timed-out call takes up to 1.5 × api_timeout (≤ 90 s).
    private static readonly IReadOnlyList<double> DurationBounds = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 90];

    private readonly ApiUsage _usage;
    private volatile MonitorSnapshot? _latest;
    private readonly Counter<long> _failovers;
    private readonly Counter<long> _failbacks;
    private readonly Counter<long> _restarts;
    private readonly Counter<long> _holds;
    private readonly Counter<long> _configurationProblems;
    private readonly Counter<long> _apiCalls;
    private readonly Histogram<double> _apiCallDuration;
    private readonly Histogram<double> _cycleDuration;

    /// <summary>Creates the instruments on the meter <see cref="MeterName"/>; API figures come from <paramref name="usage"/>, token names from the <paramref name="loaded"/> tunnels.</summary>
    public MonitorMetrics(ApiUsage usage, LoadedConfiguration loaded)
        : this(usage, loaded, MeterName)
    {
    }

    /// <summary>
    /// Creates the instruments on a meter named <paramref name="meterName"/>. Widened for tests, which give each
    /// instance a meter name of its own: OpenTelemetry picks meters by name.
    /// </summary>
    internal MonitorMetrics(ApiUsage usage, LoadedConfiguration loaded, string meterName)
    {
        _usage = usage;
        Meter = new Meter(meterName, VersionInfo.Current);

        Meter.CreateObservableGauge("failover_monitor.tunnel.status", ObserveStatus, "{status}",
            "Cloudflare status of the tunnel at the last check: 1 for the current status label, 0 for the others (unknown: the API gave no usable answer).");
        Meter.CreateObservableGauge("failover_monitor.tunnel.backup_active", () => PerTunnel(t => t.BackupActive is { } active ? active ? 1 : 0 : null), "{unit}",
            "Whether the local backup unit is active (1) or not (0); absent while its state cannot be read.");
        Meter.CreateObservableGauge("failover_monitor.tunnel.live_connectors", () => PerTunnel(t => t.LiveConnectors?.Count), "{connector}",
            "Live connectors of the tunnel, the local backup included; present while the monitor reads connectors (backup active, failback second_connector).");
        Meter.CreateObservableGauge("failover_monitor.tunnel.hold", () => PerTunnel(t => t.State.HeldSince is null ? 0 : 1), "{hold}",
            "Whether the flap guard holds the tunnel (1): no action until a reload or until the hour has passed.");
        _failovers = Meter.CreateCounter<long>("failover_monitor.tunnel.failovers", "{action}",
            "Failovers (backup starts) since start; result ok when the unit became active, failed otherwise.");
        _failbacks = Meter.CreateCounter<long>("failover_monitor.tunnel.failbacks", "{action}",
            "Failbacks (backup stops) since start; result ok when the unit became inactive, failed otherwise.");
        _restarts = Meter.CreateCounter<long>("failover_monitor.tunnel.restarts", "{action}",
            "Restarts of a backup that never connected, since start; result ok when the unit is active afterwards.");
        _holds = Meter.CreateCounter<long>("failover_monitor.tunnel.holds", "{hold}",
            "Times the flap guard put the tunnel on hold, since start.");
        _configurationProblems = Meter.CreateCounter<long>("failover_monitor.tunnel.configuration_problems", "{problem}",
            "Configuration problems the API reported for the tunnel (bad token, wrong account or tunnel id), since start.");

        _apiCalls = Meter.CreateCounter<long>("failover_monitor.api.calls", "{call}",
            "Cloudflare API calls by outcome since start; one call includes its retries.");
        _apiCallDuration = Meter.CreateHistogram("failover_monitor.api.call.duration", "s",
            "Duration of Cloudflare API calls, retries included.", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBounds });
        Meter.CreateObservableCounter("failover_monitor.api.requests_sent", () => PerToken(_usage.RequestsSent), "{request}",
            "HTTP requests sent to the Cloudflare API since start, each retry counted.");
        Meter.CreateObservableGauge("failover_monitor.api.requests_last_5m", ObserveRecentRequests, "{request}",
            "HTTP requests sent in the last 5 minutes, the window of Cloudflare's limit of 1200 per user.");
        Meter.CreateObservableGauge("failover_monitor.api.budget_per_5m", ObserveBudgets, "{request}",
            "Requests per 5 minutes the configuration needs in steady state (no backup active).");
        Meter.CreateObservableGauge("failover_monitor.api.rate_limited", () => PerToken(t => _usage.BlockedUntil(t) is null ? 0 : 1), "{lockout}",
            "Whether a 429 locks the token out (1): no request is sent for it until Retry-After has passed.");

        Meter.CreateObservableGauge("failover_monitor.gateway.reachable", ObserveGateway, "{gateway}",
            "Whether the gateway answered the last ICMP probe (1) or not (0).");
        _cycleDuration = Meter.CreateHistogram("failover_monitor.cycle.duration", "s",
            "Duration of check cycles (full and confirmation).", tags: null, new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBounds });

        usage.NameTokens(loaded.Settings.Tunnels, loaded.Tokens);
        usage.CallCompleted += OnApiCall;
    }

    /// <summary>
    /// Label sets one instrument may need under <paramref name="settings"/>, with room for reloads that add or rename
    /// tunnels: twice the largest (<c>failover_monitor.tunnel.status</c>, one per status and tunnel), at least 256.
    /// An exporter that keeps more than this per instrument only reserves memory.
    /// </summary>
    public static int SeriesLimit(MonitorSettings settings) => Math.Max(256, 2 * Statuses.Count * settings.Tunnels.Count);

    /// <summary>The meter holding every instrument.</summary>
    public Meter Meter { get; }

    /// <inheritdoc />
    public void OnPublished(MonitorSnapshot snapshot) => _latest = snapshot;

    /// <inheritdoc />
    public void OnCycleCompleted(TimeSpan duration) => _cycleDuration.Record(duration.TotalSeconds);

    /// <inheritdoc />
    public void OnAction(TunnelSettings tunnel, DecisionKind kind, bool took, string reason)
    {
        var counter = kind switch
        {
            DecisionKind.StartBackup => _failovers,
            DecisionKind.StopBackup => _failbacks,
            DecisionKind.RestartBackup => _restarts,
            _ => null,
        };
        counter?.Add(1, new("tunnel", tunnel.Name), new("result", took ? "ok" : "failed"));
    }

    /// <inheritdoc />
    public void OnHold(TunnelSettings tunnel, string reason) => _holds.Add(1, new KeyValuePair<string, object?>("tunnel", tunnel.Name));

    /// <inheritdoc />
    public void OnConfigurationProblem(TunnelSettings tunnel, string problem) =>
        _configurationProblems.Add(1, new KeyValuePair<string, object?>("tunnel", tunnel.Name));

    /// <summary>The <c>outcome</c> label of an API call that ended with <paramref name="failure"/> (null: success).</summary>
    public static string Outcome(ApiFailureKind? failure) => failure switch
    {
        null => "ok",
        ApiFailureKind.ServerError => "server_error",
        ApiFailureKind.RateLimited => "rate_limited",
        ApiFailureKind.Unauthorized => "unauthorized",
        ApiFailureKind.NotFound => "not_found",
        ApiFailureKind.Timeout => "timeout",
        ApiFailureKind.Transport => "transport",
        ApiFailureKind.MalformedBody => "malformed",
        ApiFailureKind.ApiError => "api_error",
        ApiFailureKind.HttpError => "http_error",
        _ => "other",
    };

    /// <inheritdoc />
    public void Dispose()
    {
        _usage.CallCompleted -= OnApiCall;
        Meter.Dispose();
    }

    private void OnApiCall(ApiCallRecord call)
    {
        var token = new KeyValuePair<string, object?>("token", call.Token);
        _apiCalls.Add(1, token, new("outcome", Outcome(call.Failure)));
        _apiCallDuration.Record(call.Duration.TotalSeconds, token);
    }

    private IEnumerable<Measurement<int>> ObserveStatus() =>
        (_latest?.Tunnels ?? []).SelectMany(t => Statuses.Select(s =>
            new Measurement<int>(t.StatusText == s ? 1 : 0, new("tunnel", t.Name), new("status", s))));

    private IEnumerable<Measurement<int>> PerTunnel(Func<TunnelView, int?> read) =>
        (_latest?.Tunnels ?? []).Select(t => (t.Name, Value: read(t)))
            .Where(t => t.Value is not null)
            .Select(t => new Measurement<int>(t.Value!.Value, new KeyValuePair<string, object?>("tunnel", t.Name)));

    /// <summary>One reading per token of the published configuration, labelled by its tunnels' names (as the state file lists them).</summary>
    private IEnumerable<Measurement<long>> PerToken(Func<ApiToken, long> read) =>
        (_latest is { } latest ? latest.Tokens.GroupByToken(latest.Settings.Tunnels) : [])
            .Select(g => new Measurement<long>(read(g.Key), new KeyValuePair<string, object?>("token", string.Join(",", g.Select(t => t.Name)))));

    private IEnumerable<Measurement<int>> ObserveBudgets() =>
        _latest is { } latest
            ? ApiBudget.Compute(latest.Settings, latest.Tokens).Select(b => new Measurement<int>(b.Steady, new KeyValuePair<string, object?>("token", string.Join(",", b.Tunnels))))
            : [];

    private IEnumerable<Measurement<int>> ObserveRecentRequests() =>
        _usage.RecentRequests().Select(r => new Measurement<int>(r.Requests, new KeyValuePair<string, object?>("token", r.Token)));

    private IEnumerable<Measurement<int>> ObserveGateway() =>
        _latest?.GatewayReachable is { } reachable ? [new Measurement<int>(reachable ? 1 : 0)] : [];
}
