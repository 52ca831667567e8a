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

        var options = loaded.Options;
        await output.WriteLineAsync($"Configuration {path} is valid.").ConfigureAwait(false);
        await output.WriteLineAsync($"gateway {options.GatewayIp}, check_interval {options.CheckInterval} s, failure_threshold {options.FailureThreshold}, recovery_threshold {options.RecoveryThreshold}, failover_on {string.Join(",", options.FailoverOn)}, failback {options.Failback}, confirm_delay {options.ConfirmDelay} s").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        var rows = new List<string[]> { new[] { "TUNNEL", "TUNNEL ID", "ACCOUNT", "SERVICE", "TOKEN FROM", "BACKUP METRICS" } };
        rows.AddRange(options.Tunnels.Select(t => new[]
        {
            t.DisplayName, t.TunnelId!, t.AccountId!, t.Service!,
            t.TokenSource,
            t.BackupMetrics ?? "-",
        }));
        await output.WriteAsync(Status.TextTable.Render(rows)).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"API budget per token (Cloudflare allows {ApiBudget.LimitPer5Minutes} requests per 5 minutes per user):").ConfigureAwait(false);
        foreach (var budget in ApiBudget.Compute(options))
        {
            await output.WriteLineAsync($"  token of {string.Join(", ", budget.Tunnels)}: {budget.Steady} per 5 min, up to {budget.WorstCase} with every backup active").ConfigureAwait(false);
        }

        foreach (var warning in loaded.Warnings)
        {
            await output.WriteLineAsync($"WARNING: {warning}").ConfigureAwait(false);
        }

        return verifyTokens ? await VerifyTokensAsync(options, output, cancellationToken).ConfigureAwait(false) : ExitCodes.Ok;
    }

    private static async Task<int> VerifyTokensAsync(MonitorOptions options, TextWriter output, CancellationToken cancellationToken)
    {
        await output.WriteLineAsync("Token verification against the API:").ConfigureAwait(false);
        using var http = new HttpClient(CloudflareTunnelClient.CreateHandler()) { BaseAddress = CloudflareTunnelClient.BaseAddressOf(options), Timeout = Timeout.InfiniteTimeSpan };
        var client = new CloudflareTunnelClient(http, CloudflareResilience.Build(options, TimeProvider.System), new ApiUsage(TimeProvider.System));
        var checks = await new TokenVerifier(client, TimeProvider.System).VerifyAsync(options.Tunnels, VerifyTimeout, cancellationToken).ConfigureAwait(false);
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
