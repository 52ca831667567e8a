using System.Reflection;

namespace FailoverMonitor.Configuration;

/// <summary>
/// The program's version, from its assembly's informational version (the build's <c>Version</c>). Kept with the
/// configuration, the lowest layer above the leaves, because the state file, the metrics and the <c>version</c> verb all
/// name it.
/// </summary>
public static class VersionInfo
{
    /// <summary>E.g. <c>0.1.0</c>.</summary>
    public static string Current { get; } =
        (typeof(VersionInfo).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "0.0.0").Split('+')[0];
}
