namespace FailoverMonitor.Tests.Architecture;

/// <summary>The checker on small made-up sources, each breaking the rule one way (or keeping it), so it can fail.</summary>
public sealed class LayeringCheckerTests
{
    private static readonly LayeringChecker Checker = new(FolderLayering.Ranks, FolderLayering.RootNamespace);

    // Declares a type per folder that the samples refer to, as the real folders do.
    private static readonly SourceFile[] Types =
    [
        new("Status/StatusReport.cs", "namespace FailoverMonitor.Status;\npublic static class StatusReport { public static string Render() => \"\"; }\n"),
        new("Metrics/MetricsEndpoint.cs", "namespace FailoverMonitor.Metrics;\npublic static class MetricsEndpoint { public static bool TryParse(string s) => true; }\n"),
        new("Configuration/MonitorOptions.cs", "namespace FailoverMonitor.Configuration;\npublic sealed class MonitorOptions { }\n"),
        new("Monitoring/TunnelState.cs", "namespace FailoverMonitor.Monitoring;\npublic enum TunnelState { Up, Down }\n"),
    ];

    private static IReadOnlyList<LayeringViolation> Check(string path, string text) => Checker.Check([.. Types, new SourceFile(path, text)]);

    // A Configuration file with the statement on line 6.
    private static string InLoaderMethod(string statement) =>
        "namespace FailoverMonitor.Configuration;\nclass Loader\n{\n    void Load()\n    {\n        " + statement + "\n    }\n}\n";

    [Fact]
    public void Check_UsingOfHigherRankFolder_ReportsEdge()
    {
        var violations = Check("Configuration/Loader.cs", "using FailoverMonitor.Metrics;\nnamespace FailoverMonitor.Configuration;\nclass Loader { }\n");

        var violation = Assert.Single(violations);
        Assert.Equal(("Configuration/Loader.cs", 1, "Configuration", "Metrics"), (violation.Path, violation.Line, violation.From, violation.To));
    }

    [Fact]
    public void Check_UsingOfSameRankFolder_ReportsSidewaysEdge()
    {
        var violations = Check("Alerts/Observer.cs", "namespace FailoverMonitor.Alerts;\nusing FailoverMonitor.Status;\nclass Observer { }\n");

        Assert.Equal(("Alerts", "Status"), (Assert.Single(violations).From, violations[0].To));
    }

    [Fact]
    public void Check_UsingsOfLowerRankFoldersAndOwnFolder_ReportsNothing()
    {
        var text = "using FailoverMonitor.Monitoring;\nusing FailoverMonitor.Configuration;\nusing FailoverMonitor.Alerts;\nusing static FailoverMonitor.Text.SafeText;\n"
            + "namespace FailoverMonitor.Alerts;\nclass Observer { TunnelState s = Monitoring.TunnelState.Up; FailoverMonitor.Configuration.MonitorOptions? o; }\n";

        Assert.Empty(Check("Alerts/Observer.cs", text));
    }

    [Theory]
    [InlineData("using static FailoverMonitor.Status.StatusReport;")]
    [InlineData("using Report = FailoverMonitor.Status.StatusReport;")]
    [InlineData("using global::FailoverMonitor.Status;")]
    public void Check_StaticOrAliasUsingOfHigherRankFolder_ReportsEdge(string directive)
    {
        var violations = Check("Monitoring/Worker.cs", directive + "\nnamespace FailoverMonitor.Monitoring;\nclass Worker { }\n");

        Assert.Equal(("Monitoring", "Status"), (Assert.Single(violations).From, violations[0].To));
    }

    [Theory]
    [InlineData("var ok = FailoverMonitor.Metrics.MetricsEndpoint.TryParse(\"x\");")]
    [InlineData("var ok = global::FailoverMonitor.Metrics.MetricsEndpoint.TryParse(\"x\");")]
    [InlineData("FailoverMonitor.Metrics.MetricsEndpoint? unused = null;")]
    public void Check_FullyQualifiedNameOfHigherRankFolder_ReportsEdge(string statement)
    {
        var violations = Check("Configuration/Loader.cs", InLoaderMethod(statement));

        var violation = Assert.Single(violations);
        Assert.Equal((6, "Configuration", "Metrics"), (violation.Line, violation.From, violation.To));
    }

    [Theory]
    [InlineData("var ok = Metrics.MetricsEndpoint.TryParse(\"x\");")]
    [InlineData("Metrics.MetricsEndpoint? unused = null;")]
    public void Check_NameQualifiedByHigherRankFolderAlone_ReportsEdge(string statement)
    {
        // Inside namespace FailoverMonitor.Configuration, `Metrics` resolves to FailoverMonitor.Metrics: no using needed.
        var violations = Check("Configuration/Loader.cs", InLoaderMethod(statement));

        Assert.Equal(("Configuration", "Metrics"), (Assert.Single(violations).From, violations[0].To));
    }

    [Fact]
    public void Check_CrefToHigherRankFolder_ReportsEdge()
    {
        var text = "namespace FailoverMonitor.Configuration;\n/// <summary>Like <see cref=\"Status.StatusReport.Render\"/>.</summary>\nclass Loader { }\n";

        var violation = Assert.Single(Check("Configuration/Loader.cs", text));
        Assert.Equal((2, "Status"), (violation.Line, violation.To));
    }

    [Fact]
    public void Check_MemberNamedLikeFolder_ReportsNothing()
    {
        // `Status` is a property here, and `Metrics.Count` names no type of the Metrics folder.
        var text = "namespace FailoverMonitor.Configuration;\nclass Loader\n{\n    string Status => \"\";\n    int[] Metrics = [];\n"
            + "    int Length() => Status.Length + Metrics.Length + this.Status.Length;\n}\n";

        Assert.Empty(Check("Configuration/Loader.cs", text));
    }

    [Fact]
    public void Check_FolderNamesInCommentsAndStrings_ReportsNothing()
    {
        var text = "namespace FailoverMonitor.Configuration;\n// see FailoverMonitor.Status.StatusReport and Metrics.MetricsEndpoint\n"
            + "class Loader { string s = \"FailoverMonitor.Status.StatusReport\"; string r = $\"{nameof(Loader)} Metrics.MetricsEndpoint\"; }\n";

        Assert.Empty(Check("Configuration/Loader.cs", text));
    }

    [Fact]
    public void Check_GlobalUsingOfLowRankFolder_ReportsEdgeFromEveryFolder()
    {
        // Even in Program.cs, which may use every folder: a global using reaches into the rank-0 folders too.
        var violation = Assert.Single(Check("Program.cs", "global using FailoverMonitor.Configuration;\n"));

        Assert.Equal("Configuration", violation.To);
    }

    [Fact]
    public void Check_ProgramOutsideTheFolders_MayUseEveryFolder()
    {
        var text = "using FailoverMonitor.Status;\nusing FailoverMonitor.Monitoring;\nvar report = StatusReport.Render();\nvar m = FailoverMonitor.Metrics.MetricsEndpoint.TryParse(report);\n";

        Assert.Empty(Check("Program.cs", text));
    }

    [Theory]
    [InlineData("Metrics/Helper.cs", "namespace FailoverMonitor.Status;\nstatic class Helper { }\n")]
    [InlineData("Metrics/Helper.cs", "namespace FailoverMonitor;\nstatic class Helper { }\n")]
    [InlineData("Metrics/Helper.cs", "static class Helper { }\n")]
    [InlineData("Program.cs", "namespace FailoverMonitor;\nstatic class Helper { }\n")]
    public void Check_TypeOutsideItsFolderNamespace_ReportsIt(string path, string text)
    {
        var violation = Assert.Single(Check(path, text));

        Assert.Contains("type Helper", violation.What, StringComparison.Ordinal);
    }

    [Fact]
    public void Check_TypeInSubNamespaceOfItsFolder_ReportsNothing()
    {
        Assert.Empty(Check("Metrics/Exposition/Writer.cs", "namespace FailoverMonitor.Metrics.Exposition;\nstatic class Writer { }\n"));
    }

    [Fact]
    public void Check_FolderWithoutRank_ReportsEdgeAndSaysSo()
    {
        var violations = Check("Plugins/Plugin.cs", "using FailoverMonitor.Configuration;\nnamespace FailoverMonitor.Plugins;\nclass Plugin { }\n");

        Assert.Contains("folder Plugins has no rank", Assert.Single(violations).What, StringComparison.Ordinal);
    }

    [Fact]
    public void CheckProject_MsBuildUsingOfOurNamespace_ReportsIt()
    {
        var project = "<Project>\n  <ItemGroup>\n    <Using Include=\"System.Net\" />\n    <Using Include=\"FailoverMonitor.Monitoring\" />\n  </ItemGroup>\n</Project>\n";

        var violation = Assert.Single(Checker.CheckProject(new SourceFile("FailoverMonitor.csproj", project)));

        Assert.Equal((4, "Monitoring"), (violation.Line, violation.To));
    }
}
