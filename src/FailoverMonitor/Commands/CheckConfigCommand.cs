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
        MonitorOptions options;
        try
        {
            options = ConfigurationLoader.Load(path);
        }
        catch (ConfigurationException e)
        {
            await output.WriteLineAsync(e.Message).ConfigureAwait(false);
            return ExitCodes.Configuration;
        }

        await output.WriteLineAsync($"Configuration {path} is valid.").ConfigureAwait(false);
        await output.WriteLineAsync($"gateway {options.GatewayIp}, check_interval {options.CheckInterval} s, failure_threshold {options.FailureThreshold}, recovery_threshold {options.RecoveryThreshold}, failover_on {string.Join(",", options.FailoverOn)}, failback {options.Failback}, confirm_delay {options.ConfirmDelay} s").ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        var rows = new List<string[]> { new[] { "TUNNEL", "TUNNEL ID", "ACCOUNT", "SERVICE", "TOKEN FROM", "BACKUP METRICS" } };
        rows.AddRange(options.Tunnels.Select(t => new[]
        {
            t.DisplayName, t.TunnelId!, t.AccountId!, t.Service!,
            t.TokenFile is not null ? $"token_file {t.TokenFile}" : t.TokenCredential is not null ? $"credential {t.TokenCredential}" : "token",
            t.BackupMetrics ?? "-",
        }));
        await output.WriteAsync(Status.TextTable.Render(rows)).ConfigureAwait(false);
        await output.WriteLineAsync().ConfigureAwait(false);
        await output.WriteLineAsync($"API budget per token (Cloudflare allows {ApiBudget.LimitPer5Minutes} requests per 5 minutes per user):").ConfigureAwait(false);
        foreach (var budget in ApiBudget.Compute(options))
        {
            await output.WriteLineAsync($"  token of {string.Join(", ", budget.Tunnels)}: {budget.Steady} per 5 min, up to {budget.WorstCase} with every backup active").ConfigureAwait(false);
        }

        foreach (var warning in options.Warnings)
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
        var exit = ExitCodes.Ok;
        foreach (var group in options.Tunnels.GroupBy(t => t.ResolvedToken!))
        {
            var names = string.Join(", ", group.Select(t => t.DisplayName));
            using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            bound.CancelAfter(VerifyTimeout);
            try
            {
                var verification = await client.VerifyTokenAsync(group.First().AccountId!, group.Key, bound.Token).ConfigureAwait(false);
                await output.WriteLineAsync($"  token of {names}: {verification.Status}").ConfigureAwait(false);
                if (verification.Status != "active")
                {
                    exit = ExitCodes.Configuration;
                }
            }
            catch (CloudflareApiException e) when (e.IsConfigurationProblem)
            {
                await output.WriteLineAsync($"  token of {names}: REJECTED: {e.Message}").ConfigureAwait(false);
                exit = ExitCodes.Configuration;
            }
            catch (Exception e) when (e is CloudflareApiException or OperationCanceledException)
            {
                await output.WriteLineAsync($"  token of {names}: not verified, API not reachable: {e.Message}").ConfigureAwait(false);
            }
        }

        return exit;
    }
}
