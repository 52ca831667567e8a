using FailoverMonitor.Alerts;
using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Alerts;

/// <summary>Tunnels and alerts shared by the alert tests.</summary>
internal static class AlertFixtures
{
    public const string TunnelId = "6ff42ae2-765d-4adf-8112-31c55c1551ef";
    public const string Token = "Zx9-secret-token-value-0001";

    public static TunnelSettings Tunnel() => TestSettings.Tunnel("web", TunnelId, "cloudflared-backup");

    /// <summary>The token of <see cref="Tunnel"/>.</summary>
    public static TunnelTokens Tokens() => TestSettings.Tokens((Tunnel(), Token));

    /// <summary>A webhook at <paramref name="url"/>; every event unless <paramref name="events"/> are given.</summary>
    public static AlertSettings Hook(string url, AlertFormat format = AlertFormat.Json, params AlertEvent[] events)
    {
        var hook = new AlertSettings { Url = new Uri(url, UriKind.Absolute), Format = format };
        return events.Length > 0 ? hook with { Events = events.ToHashSet() } : hook;
    }

    public static Alert Failover(string reason = "status down for 2 checks") =>
        new(AlertEvent.Failover, "web", TunnelId, "cloudflared-backup", reason, true, FakeTimeProvider.Start, "host1");

    public static MonitorSettings Settings(params AlertSettings[] alerts) => new() { Alerts = alerts };
}
