namespace FailoverMonitor.Tests.Architecture;

/// <summary>
/// The rule the folders of <c>src/FailoverMonitor</c> follow: a folder may use only folders of a lower rank, never
/// one of its own rank or above, so dependencies point one way and form no cycle. <c>Program.cs</c>, outside every
/// folder, is the top and may use them all. The README's Layout section draws the same graph.
/// </summary>
internal static class FolderLayering
{
    /// <summary>The namespace every folder's namespace sits under: folder <c>X</c> is <c>FailoverMonitor.X</c>.</summary>
    public const string RootNamespace = "FailoverMonitor";

    /// <summary>Rank per folder name (0 = depends on nothing of ours). A folder missing here fails the check.</summary>
    public static readonly IReadOnlyDictionary<string, int> Ranks = new Dictionary<string, int>(StringComparer.Ordinal)
    {
        // Leaves: helpers every layer may use.
        ["Text"] = 0,
        ["Logging"] = 0,
        ["Systemd"] = 0,
        ["Http"] = 0,
        ["Runtime"] = 0,

        // What the daemon is told to do.
        ["Configuration"] = 1,

        // The outside world: the Cloudflare API, the gateway, systemd units.
        ["Cloudflare"] = 2,
        ["Gateway"] = 2,
        ["ServiceControl"] = 2,

        // The loop and its decisions.
        ["Monitoring"] = 3,

        // Operator-facing: read what Monitoring publishes.
        ["Status"] = 4,
        ["Metrics"] = 4,
        ["Alerts"] = 4,

        // The command-line verbs that wire it all up.
        ["Commands"] = 5,
    };
}
