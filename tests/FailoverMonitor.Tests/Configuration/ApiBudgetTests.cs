using FailoverMonitor.Configuration;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Configuration;

public sealed class ApiBudgetTests
{
    private const string TokenA = "Zx9-budget-token-a-0001";
    private const string TokenB = "Zx9-budget-token-b-0002";

    [Fact]
    public void Compute_OneTunnelAtThreeSeconds_HundredPerFiveMinutes()
    {
        var budget = Assert.Single(Compute(Options(3, Tunnels(accounts: 1, perAccount: 1, TokenA))));

        Assert.Equal(100, budget.Steady);
        Assert.Equal(200, budget.WorstCase); // plus one connections call per cycle while its backup is active
        Assert.Equal(["t0-0"], budget.Tunnels);
    }

    [Fact]
    public void Compute_TunnelsSharingAccountAndToken_OneListCallPerCycle()
    {
        var budget = Assert.Single(Compute(Options(3, Tunnels(accounts: 1, perAccount: 5, TokenA))));

        Assert.Equal(100, budget.Steady);
        Assert.Equal(600, budget.WorstCase);
    }

    [Fact]
    public void Compute_AccountIdsDifferingOnlyInCase_OneAccount()
    {
        var tunnels = Tunnels(accounts: 1, perAccount: 2, TokenA);
        tunnels[1] = (tunnels[1].Tunnel with { AccountId = tunnels[1].Tunnel.AccountId.ToUpperInvariant() }, tunnels[1].Token);

        Assert.Equal(100, Assert.Single(Compute(Options(3, tunnels))).Steady);
    }

    [Fact]
    public void Compute_TwoTokens_CountedSeparately()
    {
        var options = Options(3, [.. Tunnels(accounts: 2, perAccount: 1, TokenA), .. Tunnels(accounts: 1, perAccount: 1, TokenB, firstAccount: 5)]);

        var budgets = Compute(options);

        Assert.Equal([200, 100], budgets.Select(b => b.Steady));
    }

    [Fact]
    public void Compute_MoreTunnelsInOneAccountThanOnePage_EveryPageCounts()
    {
        // 250 tunnels are listed 100 to a page: three list requests per cycle, not one.
        var budget = Assert.Single(Compute(Options(3, Tunnels(accounts: 1, perAccount: 250, TokenA))));

        Assert.Equal(300, budget.Steady);
    }

    [Fact]
    public void Check_ThirteenAccountsOnOneTokenAtThreeSeconds_RefusedNamingTheSmallestSafeInterval()
    {
        var tunnels = Tunnels(accounts: 13, perAccount: 1, TokenA);
        var options = Options(3, tunnels);
        var problems = new List<string>();
        var warnings = new List<string>();

        Check(options, problems, warnings);

        var problem = Assert.Single(problems);
        Assert.StartsWith("$.check_interval: the token of tunnel(s) t0-0, t1-0,", problem);
        Assert.Contains("would send 1300 requests per 5 minutes at 3 s", problem);
        Assert.Contains("over Cloudflare's 1200", problem);
        Assert.EndsWith("use check_interval 4 or more", problem);
        Assert.DoesNotContain(TokenA, problem);

        // The interval it names is safe.
        problems.Clear();
        options = Options(4, tunnels);
        Check(options, problems, warnings);
        Assert.Empty(problems);
        Assert.Equal(975, Assert.Single(Compute(options)).Steady);
    }

    [Fact]
    public void Check_OneAccountTooManyPagesForTheInterval_Refused()
    {
        // 450 tunnels in one account at 1 s: five list pages per cycle, 1,500 requests per 5 minutes.
        var problems = new List<string>();

        Check(Options(1, Tunnels(accounts: 1, perAccount: 450, TokenA)), problems, []);

        Assert.Contains("would send 1500 requests per 5 minutes", Assert.Single(problems));
    }

    [Theory]
    [InlineData(5, false)] // worst case (1 + 5) × 100 = 600: exactly half, no warning
    [InlineData(6, true)] // 700
    public void Check_WorstCaseAboveHalfTheLimit_WarningNotProblem(int tunnels, bool warned)
    {
        var problems = new List<string>();
        var warnings = new List<string>();

        Check(Options(3, Tunnels(accounts: 1, perAccount: tunnels, TokenA)), problems, warnings);

        Assert.Empty(problems);
        Assert.Equal(warned, warnings.Count == 1);
        if (warned)
        {
            Assert.Contains($"needs 100 requests per 5 minutes, up to {(1 + tunnels) * 100} with every backup active", warnings[0]);
        }
    }

    private static IReadOnlyList<ApiBudget.TokenBudget> Compute(LoadedConfiguration loaded) => ApiBudget.Compute(loaded.Settings, loaded.Tokens);

    private static void Check(LoadedConfiguration loaded, List<string> problems, List<string> warnings) => ApiBudget.Check(loaded.Settings, loaded.Tokens, problems, warnings);

    private static LoadedConfiguration Options(double interval, List<(TunnelSettings Tunnel, string Token)> tunnels) => new(
        new MonitorSettings { Checks = new CheckSettings { CheckInterval = TimeSpan.FromSeconds(interval) }, Tunnels = [.. tunnels.Select(t => t.Tunnel)] },
        TestSettings.Tokens([.. tunnels]),
        []);

    private static List<(TunnelSettings Tunnel, string Token)> Tunnels(int accounts, int perAccount, string token, int firstAccount = 0) =>
        Enumerable.Range(firstAccount, accounts).SelectMany(a => Enumerable.Range(0, perAccount).Select(i => (new TunnelSettings
        {
            Name = $"t{a}-{i}",
            AccountId = a.ToString("x32"),
            TunnelId = Guid.NewGuid().ToString(),
            Service = $"backup-{a}-{i}",
        }, token))).ToList();
}
