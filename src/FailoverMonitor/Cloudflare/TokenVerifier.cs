using FailoverMonitor.Configuration;

namespace FailoverMonitor.Cloudflare;

/// <summary>What the API said of one token.</summary>
public enum TokenVerdict
{
    /// <summary>Cloudflare reports the token <c>active</c>.</summary>
    Active,

    /// <summary>Cloudflare knows the token but reports it <c>disabled</c>, <c>expired</c> or without a status.</summary>
    NotActive,

    /// <summary>The API refused it (HTTP 401/403, a wrong account): a configuration problem.</summary>
    Rejected,

    /// <summary>The API could not be asked (unreachable, timed out, answered with garbage); nothing is known.</summary>
    Unverified,
}

/// <summary>The verification of the token shared by some tunnels.</summary>
/// <param name="Tunnels">Display names of the tunnels using the token, comma-separated.</param>
/// <param name="Verdict">What the API said.</param>
/// <param name="Verification">The API's answer, for <see cref="TokenVerdict.Active"/> and <see cref="TokenVerdict.NotActive"/>.</param>
/// <param name="Problem">Why it was rejected or could not be verified (never holds the token), else null.</param>
public sealed record TokenCheck(string Tunnels, TokenVerdict Verdict, TokenVerification? Verification, string? Problem);

/// <summary>
/// Verifies every distinct token of a set of tunnels against the API (<c>tokens/verify</c>, through
/// <see cref="CloudflareTunnelClient.VerifyTokenAsync"/>), all at once. Used at start-up (which logs the verdicts) and
/// by <c>check-config</c> (which prints them and fails on a rejected token).
/// </summary>
public sealed class TokenVerifier(CloudflareTunnelClient client, TimeProvider time)
{
    /// <summary>One check per distinct token of <paramref name="tunnels"/>, in the order the tokens first appear.</summary>
    /// <param name="tunnels">Validated tunnels.</param>
    /// <param name="tokens">Their tokens.</param>
    /// <param name="timeout">Longest wait for one token, or null for the client's own bounds.</param>
    /// <param name="cancellationToken">Stops the checks; an <see cref="OperationCanceledException"/> then leaves this method.</param>
    public async Task<IReadOnlyList<TokenCheck>> VerifyAsync(IEnumerable<TunnelSettings> tunnels, TunnelTokens tokens, TimeSpan? timeout, CancellationToken cancellationToken) =>
        await Task.WhenAll(tokens.GroupByToken(tunnels).Select(g => VerifyOneAsync(g.Key, [.. g], timeout, cancellationToken))).ConfigureAwait(false);

    private async Task<TokenCheck> VerifyOneAsync(ApiToken token, List<TunnelSettings> tunnels, TimeSpan? timeout, CancellationToken cancellationToken)
    {
        var names = string.Join(", ", tunnels.Select(t => t.Name));
        using var bound = timeout is { } limit ? new CancellationTokenSource(limit, time) : new CancellationTokenSource();
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        try
        {
            var verification = await client.VerifyTokenAsync(tunnels[0].AccountId, token, linked.Token).ConfigureAwait(false);
            return new TokenCheck(names, verification.Status == "active" ? TokenVerdict.Active : TokenVerdict.NotActive, verification, null);
        }
        catch (CloudflareApiException e) when (e.IsConfigurationProblem)
        {
            return new TokenCheck(names, TokenVerdict.Rejected, null, e.Message);
        }
        catch (CloudflareApiException e)
        {
            return new TokenCheck(names, TokenVerdict.Unverified, null, e.Message);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            return new TokenCheck(names, TokenVerdict.Unverified, null, e.Message);
        }
    }
}
