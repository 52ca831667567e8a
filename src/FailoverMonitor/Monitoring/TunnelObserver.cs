using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Turns API answers into one <see cref="TunnelObservation"/> per tunnel. Tunnels that share an account and a
/// token are read with one list call (a single tunnel with the single-tunnel call); accounts are read
/// concurrently, at most <see cref="MaxConcurrentAccounts"/> at once. Connectors are fetched only for the tunnels
/// whose failback decision needs them. Every failure becomes an Unknown observation carrying its reason.
/// </summary>
public sealed class TunnelObserver(CloudflareTunnelClient client, CloudflaredReadyClient readyClient)
{
    /// <summary>Accounts read at the same time.</summary>
    public const int MaxConcurrentAccounts = 16;

    /// <summary>Observes <paramref name="tunnels"/>; fetches connectors where <paramref name="needsConnectors"/> says so.</summary>
    /// <returns>One observation per tunnel, keyed by the same <see cref="TunnelOptions"/> instance.</returns>
    public async Task<IReadOnlyDictionary<TunnelOptions, TunnelObservation>> ObserveAsync(
        IReadOnlyList<TunnelOptions> tunnels, Func<TunnelOptions, bool> needsConnectors, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(MaxConcurrentAccounts);
        var groups = tunnels.GroupBy(t => (Account: t.AccountId!, Token: t.ResolvedToken!));
        var results = await Task.WhenAll(groups.Select(g => Bounded(gate, () => ObserveGroupAsync(g.Key.Account, g.Key.Token, [.. g], cancellationToken)))).ConfigureAwait(false);
        var observations = results.SelectMany(r => r).ToDictionary(p => p.Key, p => p.Value);

        var needing = observations.Where(p => !p.Value.IsUnknown && needsConnectors(p.Key)).Select(p => p.Key).ToList();
        var withConnectors = await Task.WhenAll(needing.Select(t => Bounded(gate, () => AddConnectorsAsync(t, observations[t], cancellationToken)))).ConfigureAwait(false);
        foreach (var (tunnel, observation) in withConnectors)
        {
            observations[tunnel] = observation;
        }

        return observations;
    }

    private async Task<IEnumerable<KeyValuePair<TunnelOptions, TunnelObservation>>> ObserveGroupAsync(
        string accountId, ApiToken token, List<TunnelOptions> tunnels, CancellationToken cancellationToken)
    {
        try
        {
            if (tunnels.Count == 1)
            {
                var tunnel = await client.GetTunnelAsync(accountId, tunnels[0].TunnelId!, token, cancellationToken).ConfigureAwait(false);
                return [new(tunnels[0], ToObservation(tunnel))];
            }

            var listed = (await client.ListTunnelsAsync(accountId, token, cancellationToken).ConfigureAwait(false))
                .Where(t => t.Id is not null)
                .ToDictionary(t => t.Id!, StringComparer.OrdinalIgnoreCase);
            return tunnels.Select(t => new KeyValuePair<TunnelOptions, TunnelObservation>(t,
                listed.TryGetValue(t.TunnelId!, out var found)
                    ? ToObservation(found)
                    : TunnelObservation.Unknown(new CloudflareApiException(ApiFailureKind.NotFound, "tunnel id not in the account's tunnel list (deleted, or another account?)"))));
        }
        catch (CloudflareApiException e)
        {
            return tunnels.Select(t => new KeyValuePair<TunnelOptions, TunnelObservation>(t, TunnelObservation.Unknown(e)));
        }
    }

    private async Task<(TunnelOptions, TunnelObservation)> AddConnectorsAsync(TunnelOptions tunnel, TunnelObservation observation, CancellationToken cancellationToken)
    {
        var localId = tunnel.BackupMetrics is { } metrics
            ? readyClient.GetConnectorIdAsync(metrics, cancellationToken)
            : Task.FromResult<string?>(null);
        try
        {
            var connectors = await client.GetConnectorsAsync(tunnel.AccountId!, tunnel.TunnelId!, tunnel.ResolvedToken!, cancellationToken).ConfigureAwait(false);
            return (tunnel, observation with { Connectors = connectors.Select(Connector.From).ToList(), LocalConnectorId = await localId.ConfigureAwait(false) });
        }
        catch (CloudflareApiException e)
        {
            await localId.ConfigureAwait(false);
            return (tunnel, observation with { ConnectorsFailure = e });
        }
    }

    private static TunnelObservation ToObservation(CloudflareTunnel tunnel) =>
        TunnelStatuses.Parse(tunnel.Status) is { } status
            ? TunnelObservation.Of(status) with { InactiveFor = tunnel.InactiveFor }
            : TunnelObservation.Unknown(new CloudflareApiException(ApiFailureKind.MalformedBody, $"unexpected tunnel status \"{tunnel.Status}\""));

    private static async Task<T> Bounded<T>(SemaphoreSlim gate, Func<Task<T>> work)
    {
        await gate.WaitAsync().ConfigureAwait(false);
        try
        {
            return await work().ConfigureAwait(false);
        }
        finally
        {
            gate.Release();
        }
    }
}
