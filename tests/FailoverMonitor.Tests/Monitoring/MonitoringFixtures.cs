using System.Collections.Concurrent;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>Configurations and an observer for the unit tests of the loop's parts (no API, no loop).</summary>
internal static class MonitoringFixtures
{
    /// <summary>A validated-looking tunnel in the harness's account (its token: see <see cref="Loaded"/>).</summary>
    public static TunnelSettings Tunnel(string name, string? id = null, string? service = null) => TestSettings.Tunnel(name, id, service, MonitorHarness.Account);

    /// <summary>Default settings over <paramref name="tunnels"/>.</summary>
    public static MonitorSettings Settings(params TunnelSettings[] tunnels) => TestSettings.Settings(tunnels);

    /// <summary>Default settings over <paramref name="tunnels"/>, as loaded: each with the harness's token.</summary>
    public static LoadedConfiguration Loaded(params TunnelSettings[] tunnels) => TestSettings.Loaded(Settings(tunnels), MonitorHarness.Token);

    /// <summary>The running state of <paramref name="tunnel"/>, with the harness's token.</summary>
    public static TunnelRuntime RuntimeOf(TunnelSettings tunnel, TimeProvider time) => new(tunnel, new ApiToken(MonitorHarness.Token), time);
}

/// <summary>An <see cref="IMonitorObserver"/> that writes down every call as a line.</summary>
internal sealed class RecordingObserver : IMonitorObserver
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> Calls => [.. _calls];

    public void OnCycleCompleted(TimeSpan duration) => _calls.Enqueue("cycle");

    public void OnAction(TunnelSettings tunnel, DecisionKind kind, bool took, string reason) => _calls.Enqueue($"{kind} {tunnel.Name} {(took ? "ok" : "failed")}: {reason}");

    public void OnHold(TunnelSettings tunnel, string reason) => _calls.Enqueue($"hold {tunnel.Name}: {reason}");

    public void OnConfigurationProblem(TunnelSettings tunnel, string problem) => _calls.Enqueue($"problem {tunnel.Name}: {problem}");
}
