using System.Collections.Concurrent;
using FailoverMonitor.Configuration;
using FailoverMonitor.Monitoring;

namespace FailoverMonitor.Tests.Monitoring;

/// <summary>Configurations and an observer for the unit tests of the loop's parts (no API, no loop).</summary>
internal static class MonitoringFixtures
{
    /// <summary>A validated-looking tunnel (its token resolved as the loader would).</summary>
    public static TunnelOptions Tunnel(string name, string? id = null, string token = MonitorHarness.Token, string? service = null) => new()
    {
        Name = name,
        AccountId = MonitorHarness.Account,
        TunnelId = id ?? Guid.NewGuid().ToString(),
        Token = token,
        Service = service ?? $"cloudflared-{name}",
        ResolvedToken = new ApiToken(token),
    };

    /// <summary>Default options over <paramref name="tunnels"/>.</summary>
    public static MonitorOptions Options(params TunnelOptions[] tunnels) => new() { GatewayIp = "192.0.2.1", Tunnels = [.. tunnels] };
}

/// <summary>An <see cref="IMonitorObserver"/> that writes down every call as a line.</summary>
internal sealed class RecordingObserver : IMonitorObserver
{
    private readonly ConcurrentQueue<string> _calls = new();

    public IReadOnlyList<string> Calls => [.. _calls];

    public void OnCycleCompleted(TimeSpan duration) => _calls.Enqueue("cycle");

    public void OnAction(TunnelOptions tunnel, DecisionKind kind, bool took, string reason) => _calls.Enqueue($"{kind} {tunnel.Name} {(took ? "ok" : "failed")}: {reason}");

    public void OnHold(TunnelOptions tunnel, string reason) => _calls.Enqueue($"hold {tunnel.Name}: {reason}");

    public void OnConfigurationProblem(TunnelOptions tunnel, string problem) => _calls.Enqueue($"problem {tunnel.Name}: {problem}");
}
