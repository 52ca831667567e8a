namespace FailoverMonitor.Configuration;

/// <summary>
/// How many Cloudflare API requests each token needs per 5 minutes. Cloudflare allows 1,200 per user in that
/// window (all of the user's tokens, the dashboard included; Cloudflare API limits page) and locks the user out
/// for 5 minutes beyond it. A cycle sends one list call per page of <see cref="PageSize"/>
/// tunnels (or one single-tunnel call) per account a token reads; a tunnel whose backup is active adds one connections
/// call. The list also returns the account's tunnels the monitor does not watch, so for a large account the figure is a
/// lower bound; the requests actually sent are counted at run time.
/// </summary>
public static class ApiBudget
{
    /// <summary>Cloudflare's limit per user per 5 minutes.</summary>
    public const int LimitPer5Minutes = 1200;

    /// <summary>
    /// Tunnels per page of the list call, as the Cloudflare client asks for them (<c>per_page</c>); defined here because
    /// the budget counts pages before any client exists.
    /// </summary>
    public const int PageSize = 100;

    /// <summary>One token's figures.</summary>
    /// <param name="Tunnels">Display names of the tunnels using it.</param>
    /// <param name="Steady">Requests per 5 minutes with no backup active.</param>
    /// <param name="WorstCase">Requests per 5 minutes with every backup active.</param>
    public sealed record TokenBudget(IReadOnlyList<string> Tunnels, int Steady, int WorstCase);

    /// <summary>The budget of every token of <paramref name="tokens"/> used by the tunnels of <paramref name="settings"/>.</summary>
    public static IReadOnlyList<TokenBudget> Compute(MonitorSettings settings, TunnelTokens tokens)
    {
        var cyclesPer5Minutes = 300 / settings.Checks.CheckInterval.TotalSeconds;
        return tokens.GroupByToken(settings.Tunnels)
            .Select(g =>
            {
                var listCalls = g.GroupBy(t => t.AccountId.ToLowerInvariant())
                    .Sum(a => (a.Count() + PageSize - 1) / PageSize);
                return new TokenBudget(
                    g.Select(t => t.Name).ToList(),
                    (int)Math.Ceiling(listCalls * cyclesPer5Minutes),
                    (int)Math.Ceiling((listCalls + g.Count()) * cyclesPer5Minutes));
            })
            .ToList();
    }

    /// <summary>Adds a problem for each token over the limit in steady state and a warning for each over half of it at worst.</summary>
    public static void Check(MonitorSettings settings, TunnelTokens tokens, List<string> problems, List<string> warnings)
    {
        var checkInterval = settings.Checks.CheckInterval.TotalSeconds;
        foreach (var budget in Compute(settings, tokens))
        {
            var names = string.Join(", ", budget.Tunnels);
            var callsPerCycle = budget.Steady * checkInterval / 300;
            if (budget.Steady > LimitPer5Minutes)
            {
                var safe = Math.Ceiling(callsPerCycle * 300 / LimitPer5Minutes);
                problems.Add($"$.check_interval: the token of tunnel(s) {names} would send {budget.Steady} requests per 5 minutes at {checkInterval} s, over Cloudflare's {LimitPer5Minutes} per user (a lock-out of every call, dashboard included); use check_interval {safe} or more");
            }
            else if (budget.WorstCase > LimitPer5Minutes / 2)
            {
                warnings.Add($"the token of tunnel(s) {names} needs {budget.Steady} requests per 5 minutes, up to {budget.WorstCase} with every backup active: more than half of Cloudflare's {LimitPer5Minutes} per user, shared with the dashboard and other tools");
            }
        }
    }
}
