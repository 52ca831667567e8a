using FailoverMonitor.Configuration;
using FailoverMonitor.Gateway;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Probes the gateway before each cycle and says when it goes away (once, then a reminder every
/// <see cref="Reminder.DefaultInterval"/>) and when it is back. The address is the one the probe was built with at
/// start (<c>gateway_ip</c> takes effect only after a restart).
/// </summary>
public sealed class GatewayWatch(IGatewayProbe probe, GatewaySettings gateway, TimeProvider time, ILogger<GatewayWatch> logger)
{
    private readonly Reminder _down = new(time, Reminder.DefaultInterval);

    /// <summary>The gateway's address, as probed.</summary>
    public string Address { get; } = gateway.Address.ToString();

    /// <summary>Whether the gateway answered the last probe; null before the first.</summary>
    public bool? Reachable { get; private set; }

    /// <summary>Probes once and logs what changed.</summary>
    /// <returns>Whether the gateway is reachable (no API call and no action otherwise).</returns>
    public async Task<bool> ProbeAsync(CancellationToken cancellationToken)
    {
        var result = await probe.ProbeAsync(cancellationToken).ConfigureAwait(false);
        Reachable = result.Reachable;
        if (result.Reachable)
        {
            if (_down.Clear())
            {
                Log.GatewayReachable(logger, Address);
            }

            return true;
        }

        // Another kind of problem (a probe error instead of no reply, or back) is a new problem with its own "since".
        var kind = result.IsProbeError ? "probe error" : "unreachable";
        if (_down.Key != kind)
        {
            _down.Clear();
        }

        switch (_down.Report(kind))
        {
            case ReminderCue.First when result.IsProbeError:
                Log.GatewayProbeError(logger, Address, result.Problem ?? "unknown error");
                break;
            case ReminderCue.First:
                Log.GatewayUnreachable(logger, Address, result.Problem ?? "no reply");
                break;
            case ReminderCue.Again:
                Log.GatewayStillUnreachable(logger, Address, _down.Since!.Value.Wall, result.Problem ?? "no reply");
                break;
        }

        return false;
    }
}
