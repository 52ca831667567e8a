namespace FailoverMonitor.Gateway;

/// <summary>Tells whether the local network is up, before any API call is made.</summary>
public interface IGatewayProbe
{
    /// <summary>Probes the gateway once; never throws for network conditions.</summary>
    Task<GatewayProbeResult> ProbeAsync(CancellationToken cancellationToken);
}

/// <summary>A probe's outcome: reachable, or not with why (timeout, unreachable, or a probe error such as no ICMP permission).</summary>
public sealed record GatewayProbeResult(bool Reachable, string? Problem = null, bool IsProbeError = false);
