using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;
using FailoverMonitor.Text;

namespace FailoverMonitor.Monitoring;

/// <summary>
/// Turns API answers into one <see cref="TunnelObservation"/> per tunnel. Tunnels that share an account and a
/// token are read with one list call (a single tunnel with the single-tunnel call); accounts are read
/// concurrently, at most <see cref="MaxConcurrentAccounts"/> at once. Connectors are fetched only for the tunnels
/// whose failback decision needs them. Every failure becomes an Unknown observation carrying its reason, and one
/// bad item of an answer spoils that item only: a list item that cannot be read makes its tunnel Unknown, a
/// tunnel listed twice with different answers is Unknown, and a connector listed twice is live only if every copy
/// says so (stopping a backup needs certainty). A failure of a bad token names where the token came from.
/// </summary>
public sealed class TunnelObserver(CloudflareTunnelClient client, CloudflaredReadyClient readyClient)
{
    /// <summary>Accounts read at the same time.</summary>
    public const int MaxConcurrentAccounts = 16;

    /// <summary>Observes <paramref name="tunnels"/> with their <paramref name="tokens"/>; fetches connectors where <paramref name="needsConnectors"/> says so.</summary>
    /// <returns>One observation per tunnel, keyed by its settings.</returns>
    public async Task<IReadOnlyDictionary<TunnelSettings, TunnelObservation>> ObserveAsync(
        IReadOnlyList<TunnelSettings> tunnels, TunnelTokens tokens, Func<TunnelSettings, bool> needsConnectors, CancellationToken cancellationToken)
    {
        using var gate = new SemaphoreSlim(MaxConcurrentAccounts);
        var groups = tunnels.GroupBy(t => (Account: t.AccountId, Token: tokens[t]));
        var results = await Task.WhenAll(groups.Select(g => Bounded(gate, () => ObserveGroupAsync(g.Key.Account, g.Key.Token, [.. g], cancellationToken)))).ConfigureAwait(false);
        var observations = results.SelectMany(r => r).ToDictionary(p => p.Key, p => p.Value);

        var needing = observations.Where(p => !p.Value.IsUnknown && needsConnectors(p.Key)).Select(p => p.Key).ToList();
        var withConnectors = await Task.WhenAll(needing.Select(t => Bounded(gate, () => AddConnectorsAsync(t, tokens[t], observations[t], cancellationToken)))).ConfigureAwait(false);
        foreach (var (tunnel, observation) in withConnectors)
        {
            observations[tunnel] = observation;
        }

        return observations;
    }

    private async Task<IEnumerable<KeyValuePair<TunnelSettings, TunnelObservation>>> ObserveGroupAsync(
        string accountId, ApiToken token, List<TunnelSettings> tunnels, CancellationToken cancellationToken)
    {
        try
        {
            if (tunnels.Count == 1)
            {
                var tunnel = await client.GetTunnelAsync(accountId, tunnels[0].TunnelId, token, cancellationToken).ConfigureAwait(false);
                return [new(tunnels[0], ToObservation([tunnel]))];
            }

            var listed = await client.ListTunnelsAsync(accountId, token, cancellationToken).ConfigureAwait(false);
            var byId = listed.Where(t => t.Id is not null).ToLookup(t => t.Id!, StringComparer.OrdinalIgnoreCase);
            var anonymous = listed.Count(t => t.Id is null);
            return tunnels.Select(t => new KeyValuePair<TunnelSettings, TunnelObservation>(t,
                byId.Contains(t.TunnelId) ? ToObservation([.. byId[t.TunnelId]])
                : anonymous > 0 ? Unknown(ApiFailureKind.MalformedBody, $"tunnel id not in the account's tunnel list, which has {anonymous} item(s) that cannot be read")
                : Unknown(ApiFailureKind.NotFound, "tunnel id not in the account's tunnel list (deleted, or another account?)")));
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Whatever went wrong with this account's answer, the other accounts are still observed.
            return tunnels.Select(t => new KeyValuePair<TunnelSettings, TunnelObservation>(t, TunnelObservation.Unknown(Attributed(t, e))));
        }
    }

    private async Task<(TunnelSettings, TunnelObservation)> AddConnectorsAsync(TunnelSettings tunnel, ApiToken token, TunnelObservation observation, CancellationToken cancellationToken)
    {
        var localId = tunnel.BackupMetrics is { } metrics
            ? readyClient.GetConnectorIdAsync(metrics, cancellationToken)
            : Task.FromResult<string?>(null);
        try
        {
            var connectors = (await client.GetConnectorsAsync(tunnel.AccountId, tunnel.TunnelId, token, cancellationToken).ConfigureAwait(false))
                .Select(Connector.From)
                .GroupBy(c => c.Id, StringComparer.Ordinal)
                .Select(copies => new Connector(copies.Key, copies.All(c => c.IsLive)))
                .ToList();
            return (tunnel, observation with { Connectors = connectors, LocalConnectorId = await localId.ConfigureAwait(false) });
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            await localId.ConfigureAwait(false);
            return (tunnel, observation with { ConnectorsFailure = Attributed(tunnel, e) });
        }
    }

    // One tunnel's copies in an answer: one (or several that agree) gives a status; anything else is Unknown.
    private static TunnelObservation ToObservation(IReadOnlyList<CloudflareTunnel> copies)
    {
        if (copies.FirstOrDefault(t => t.Problem is not null) is { } unreadable)
        {
            return Unknown(ApiFailureKind.MalformedBody, $"the API's item for this tunnel cannot be read: {unreadable.Problem}");
        }

        var statuses = copies.Select(t => t.Status).Distinct(StringComparer.Ordinal).ToList();
        if (statuses.Count > 1)
        {
            return Unknown(ApiFailureKind.MalformedBody, $"listed {copies.Count} times with conflicting statuses ({string.Join(", ", statuses)})");
        }

        return TunnelStatuses.Parse(statuses[0]) is { } status
            ? TunnelObservation.Of(status) with { InactiveFor = copies[0].InactiveFor }
            : Unknown(ApiFailureKind.MalformedBody, $"unexpected tunnel status \"{statuses[0]}\"");
    }

    private static TunnelObservation Unknown(ApiFailureKind kind, string reason) => TunnelObservation.Unknown(new CloudflareApiException(kind, reason));

    // The failure as this tunnel reports it: a rejected token names where it came from (never the token itself);
    // an exception the client does not raise becomes a failure with its message.
    private static CloudflareApiException Attributed(TunnelSettings tunnel, Exception e) => e switch
    {
        CloudflareApiException { Kind: ApiFailureKind.Unauthorized } api =>
            new CloudflareApiException(api.Kind, $"{api.Message} (token: {tunnel.TokenSource})", api.StatusCode, api.RetryAfter, api),
        CloudflareApiException api => api,
        _ => new CloudflareApiException(ApiFailureKind.MalformedBody, $"answer could not be used: {e.GetType().Name}: {SafeText.Clean(e.Message)}", inner: e),
    };

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
