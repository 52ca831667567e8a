namespace FailoverMonitor.Configuration;

/// <summary>The configuration file the daemon runs from, re-read on reload (SIGHUP).</summary>
/// <param name="Path">The file's path.</param>
public sealed record ConfigurationSource(string Path)
{
    /// <summary>Loads and validates the file; see <see cref="ConfigurationLoader.Load"/>.</summary>
    /// <exception cref="ConfigurationException">It cannot be used.</exception>
    public LoadedConfiguration Load() => ConfigurationLoader.Load(Path);
}
