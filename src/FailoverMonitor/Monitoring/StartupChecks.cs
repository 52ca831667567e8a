using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using FailoverMonitor.ServiceControl;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Checks made once before the first cycle so that configuration mistakes are named at start, not at the first
/// failover: every token is verified against the API, every backup unit must exist. They log; they never stop
/// the monitor (the API may simply be unreachable at boot).
/// </summary>
public sealed class StartupChecks(CloudflareTunnelClient client, IServiceController services, ILogger<StartupChecks> logger)
{
    /// <summary>Runs the checks for <paramref name="options"/>.</summary>
    public async Task RunAsync(MonitorOptions options, CancellationToken cancellationToken)
    {
        foreach (var warning in options.Warnings)
        {
            Log.ConfigurationWarning(logger, warning);
        }

        await Task.WhenAll(options.Tunnels.GroupBy(t => t.ResolvedToken!).Select(g => VerifyAsync([.. g], cancellationToken))).ConfigureAwait(false);
        try
        {
            var states = await services.GetStatesAsync(options.Tunnels.Select(t => t.Service!).ToList(), cancellationToken).ConfigureAwait(false);
            foreach (var tunnel in options.Tunnels.Where(t => !states[t.Service!].Exists))
            {
                Log.UnitMissing(logger, tunnel.DisplayName, tunnel.Service!, states[tunnel.Service!].LoadState);
            }
        }
        catch (ServiceControlException)
        {
            // The worker has just read the same states and already logged why they cannot be read.
        }
    }

    private async Task VerifyAsync(List<TunnelOptions> tunnels, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", tunnels.Select(t => t.DisplayName));
        try
        {
            var verification = await client.VerifyTokenAsync(tunnels[0].AccountId!, tunnels[0].ResolvedToken!, cancellationToken).ConfigureAwait(false);
            if (verification.Status == "active")
            {
                Log.TokenVerified(logger, names, verification.ExpiresOn is { } expires ? $"active, expires {expires:yyyy-MM-dd}" : "active");
            }
            else
            {
                Log.TokenUnusable(logger, names, $"Cloudflare says the token is {verification.Status ?? "not active"}");
            }
        }
        catch (CloudflareApiException e) when (e.IsConfigurationProblem)
        {
            Log.TokenUnusable(logger, names, e.Message);
        }
        catch (CloudflareApiException e)
        {
            Log.TokenUnverified(logger, names, e.Message);
        }
    }
}
