using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Checks made once before the first cycle so that configuration mistakes are named at start, not at the first
/// failover: every token is verified against the API, every backup unit must exist. They log; they never stop
/// the monitor (the API may simply be unreachable at boot). The start-up load's <paramref name="warnings"/> are
/// logged first.
/// </summary>
public sealed class StartupChecks(TokenVerifier tokens, IServiceController services, ILogger<StartupChecks> logger, IReadOnlyList<string>? warnings = null)
{
    /// <summary>Runs the checks for <paramref name="tunnels"/> and their <paramref name="tunnelTokens"/>.</summary>
    public async Task RunAsync(IReadOnlyList<TunnelSettings> tunnels, TunnelTokens tunnelTokens, CancellationToken cancellationToken)
    {
        foreach (var warning in warnings ?? [])
        {
            Log.ConfigurationWarning(logger, warning);
        }

        foreach (var check in await tokens.VerifyAsync(tunnels, tunnelTokens, timeout: null, cancellationToken).ConfigureAwait(false))
        {
            Report(check);
        }

        try
        {
            var states = await services.GetStatesAsync(tunnels.Select(t => t.Service).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var tunnel in tunnels.Where(t => !states[t.Service].Exists))
            {
                Log.UnitMissing(logger, tunnel.Name, tunnel.Service, states[tunnel.Service].LoadState);
            }
        }
        catch (ServiceControlException)
        {
            // The worker has just read the same states and already logged why they cannot be read.
        }
    }

    private void Report(TokenCheck check)
    {
        switch (check.Verdict)
        {
            case TokenVerdict.Active:
                Log.TokenVerified(logger, check.Tunnels, check.Verification!.ExpiresOn is { } expires ? $"active, expires {expires:yyyy-MM-dd}" : "active");
                break;
            case TokenVerdict.NotActive:
                Log.TokenUnusable(logger, check.Tunnels, $"Cloudflare says the token is {check.Verification!.Status ?? "not active"}");
                break;
            case TokenVerdict.Rejected:
                Log.TokenUnusable(logger, check.Tunnels, check.Problem!);
                break;
            default:
                Log.TokenUnverified(logger, check.Tunnels, check.Problem!);
                break;
        }
    }
}
