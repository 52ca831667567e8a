using FailoverMonitor.Cloudflare;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Commands;

/// <summary>
/// <c>failover-monitor check-config</c>, in the manner of <c>nginx -t</c>: validates the file, prints what it
/// would monitor and each token's API budget, and verifies each token against the API when it is reachable.
/// </summary>
public static class CheckConfigCommand
{
    /// <summary>Longest wait for one token verification.</summary>
    public static readonly TimeSpan VerifyTimeout = TimeSpan.FromSeconds(10);

    /// <summary>Runs the check, writing to <paramref name="output"/>; 0 when usable, 78 when not (invalid, or a token the API rejects).</summary>
    public static async Task<int> RunAsync(string? configArgument, bool verifyTokens, TextWriter output, CancellationToken cancellationToken)
    {
        var path = ConfigurationLoader.ResolvePath(configArgument);
        LoadedConfiguration loaded;
        try
        {
            loaded = ConfigurationLoader.Load(path);
        }
        catch (ConfigurationException e)
        {
            await output.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Configuration;
        }

        var (settings, checks) = (loaded.Settings, loaded.Settings.Checks);
        await output.WriteLineAsync($"Configuration {path} is valid.").ConfigureAwait(false);
        await output.WriteLineAsync($"gateway {settings.Gateway.Address}, check_interval {checks.CheckInterval.TotalSeconds} s, failure_threshold {checks.FailureThreshold}, recovery_threshold {checks.RecoveryThreshold}, failover_on {checks.FailoverOnWords()}, failback {FailbackModes.Words.Word(checks.Failback)}, confirm_delay {checks.ConfirmDelay.TotalSeconds} s").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        var rows = new List<string[]> { new[] { "TUNNEL", "TUNNEL ID", "ACCOUNT", "SERVICE", "TOKEN FROM", "BACKUP METRICS" } };
        rows.AddRange(settings.Tunnels.Select(t => new[]
        {
            t.Name, t.TunnelId, t.AccountId, t.Service,
            t.TokenSource,
            t.BackupMetrics ?? "-",
        }));
        await output.WriteAsync(Status.TextTable.Render(rows)).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"API budget per token (Cloudflare allows {ApiBudget.LimitPer5Minutes} requests per 5 minutes per user):").ConfigureAwait(false);
        foreach (var budget in ApiBudget.Compute(settings, loaded.Tokens))
        {
            await output.WriteLineAsync($"  token of {string.Join(", ", budget.Tunnels)}: {budget.Steady} per 5 min, up to {budget.WorstCase} with every backup active").ConfigureAwait(false);
        }

        foreach (var warning in loaded.Warnings)
        {
            await output.WriteLineAsync($"WARNING: {warning}").ConfigureAwait(false);
        }

        return verifyTokens ? await VerifyTokensAsync(loaded, output, cancellationToken).ConfigureAwait(false) : ExitCodes.Ok;
    }

    private static async Task<int> VerifyTokensAsync(LoadedConfiguration loaded, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("Token verification against the API:").ConfigureAwait(false);
        using var http = CloudflareTunnelClient.CreateHttpClient(loaded.Settings.Api);
        var client = new CloudflareTunnelClient(http, CloudflareResilience.Build(loaded.Settings.Api, TimeProvider.System), new ApiUsage(TimeProvider.System));
        var checks = await new TokenVerifier(client, TimeProvider.System).VerifyAsync(loaded.Settings.Tunnels, loaded.Tokens, VerifyTimeout, cancellationToken).ConfigureAwait(false);
        foreach (var check in checks)
        {
            await output.WriteLineAsync($"  token of {check.Tunnels}: " + check.Verdict switch
            {
                TokenVerdict.Rejected => $"REJECTED: {check.Problem}",
                TokenVerdict.Unverified => $"not verified, API not reachable: {check.Problem}",
                _ => check.Verification!.Status,
            }).ConfigureAwait(false);
        }

        return checks.Any(c => c.Verdict is TokenVerdict.NotActive or TokenVerdict.Rejected) ? ExitCodes.Configuration : ExitCodes.Ok;
    }
}
