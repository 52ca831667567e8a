namespace FailoverMonitor.Configuration;

/// <summary>
/// The configuration file cannot be used. <see cref="Problems"/> lists every problem found, each as
/// "JSON path: what is wrong"; no problem text ever holds a token.
/// </summary>
public sealed class ConfigurationException : Exception
{
    /// <summary>Creates the exception for <paramref name="path"/>.</summary>
    public ConfigurationException(string path, IReadOnlyList<string> problems)
        : base(Format(path, problems))
    {
        Path = path;
        Problems = problems;
    }

    /// <summary>The configuration file.</summary>
    public string Path { get; }

    /// <summary>Each problem, e.g. <c>$.tunnels[0].tunnel_id: "web" is not a UUID</c>.</summary>
    public IReadOnlyList<string> Problems { get; }

    private static string Format(string path, IReadOnlyList<string> problems) =>
        $"Invalid configuration {(path.Length == 0 ? "\"\"" : ConfigText.Safe(path))} ({problems.Count} problem{(problems.Count == 1 ? "" : "s")}):"
        + string.Concat(problems.Select(p => Environment.NewLine + "  - " + p));
}
