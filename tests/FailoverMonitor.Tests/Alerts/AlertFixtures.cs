using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Alerts;

/// <summary>Tunnels and alerts shared by the alert tests.</summary>
internal static class AlertFixtures
{
    public const string TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
    public const string Token = "Zx9-secret-token-value-0001";

    public static TunnelOptions Tunnel() => new()
    {
        Name = "web",
        AccountId = "0123456789abcdef0123456789abcdef",
        TunnelId = TunnelId,
        Service = "cloudflared-backup",
        ResolvedToken = new ApiToken(Token),
    };

    public static Alert Failover(string reason = "status down for 2 checks") =>
        new(AlertEvent.Failover, "web", TunnelId, "cloudflared-backup", reason, true, FakeTimeProvider.Start, "host1");

    public static MonitorOptions Options(params AlertOptions[] alerts) => new() { Alerts = [.. alerts] };
}
