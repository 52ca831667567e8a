using System.Net;
using System.Net.NetworkInformation;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Gateway;

/// <summary>
/// ICMP echo to <c>gateway_ip</c> with <c>gateway_timeout</c>. As root .NET uses a raw socket; without
/// CAP_NET_RAW it runs the <c>ping</c> binary, and reports a <see cref="PingException"/> when that is missing.
/// </summary>
public sealed class IcmpGatewayProbe(MonitorOptions options) : IGatewayProbe
{
    private readonly IPAddress _gateway = IPAddress.Parse(options.GatewayIp!);
    private readonly TimeSpan _timeout = TimeSpan.FromSeconds(options.GatewayTimeout);

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
        catch (PingException e)
        {
            var cause = e.InnerException?.Message ?? e.Message;
            return new GatewayProbeResult(false, $"cannot send ICMP echo: {cause}", IsProbeError: true);
        }
    }
}
