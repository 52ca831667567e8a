using System.Net;
using System.Net.NetworkInformation;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Gateway;

/// <summary>
/// ICMP echo to <c>gateway_ip</c> with <c>gateway_timeout</c>. As root .NET uses a raw socket; without
/// CAP_NET_RAW it runs the <c>ping</c> binary, and fails when that is missing: a probe error, never a silent pass.
/// </summary>
public sealed class IcmpGatewayProbe(GatewaySettings gateway) : IGatewayProbe
{
    private readonly IPAddress _gateway = gateway.Address;
    private readonly TimeSpan _timeout = gateway.Timeout;

    /// <inheritdoc />
    public async Task<GatewayProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            using var ping = new Ping();
            var reply = await ping.SendPingAsync(_gateway, _timeout, cancellationToken: cancellationToken).ConfigureAwait(false);
            return reply.Status == IPStatus.Success
                ? new GatewayProbeResult(true)
                : new GatewayProbeResult(false, reply.Status.ToString());
        }
        catch (Exception e) when (e is PingException or PlatformNotSupportedException or InvalidOperationException or UnauthorizedAccessException)
        {
            // Without CAP_NET_RAW .NET runs the ping binary, and throws PlatformNotSupportedException when it is missing.
            var cause = e.InnerException?.Message ?? e.Message;
            return new GatewayProbeResult(false,
                $"cannot send ICMP echo ({cause}); run as root, give the unit AmbientCapabilities=CAP_NET_RAW, or install iputils-ping", IsProbeError: true);
        }
    }
}
