namespace FailoverMonitor.Configuration;

/// <summary>
/// Windows service name rules (CreateService: at most 256 characters, no <c>/</c> or <c>\</c>), tightened so that
/// <c>sc.exe</c> can never read a name as something else: no leading or trailing white space, no leading <c>-</c>,
/// no control characters or double quotes, and no trailing <c>=</c> (sc.exe's <c>option= value</c> syntax).
/// Spaces inside a name are allowed: the name is passed as one argument, never through a shell.
/// </summary>
public static class WindowsServiceName
{
    /// <summary>Longest accepted name, in characters.</summary>
    public const int MaxLength = 256;

    /// <summary>Whether <paramref name="name"/> is safe to pass to <c>sc.exe</c> as a service name.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= MaxLength }
        && !char.IsWhiteSpace(name[0])
        && !char.IsWhiteSpace(name[^1])
        && name[0] != '-'
        && name[^1] != '='
        && !name.Any(c => c is '/' or '\\' or '"' || char.IsControl(c));

    /// <summary>Throws unless <paramref name="name"/> <see cref="IsValid">is valid</see>.</summary>
    /// <exception cref="ArgumentException">The name is not a safe Windows service name.</exception>
    public static string Validate(string name) =>
        IsValid(name) ? name : throw new ArgumentException($"\"{name}\" is not a valid Windows service name", nameof(name));
}

/// <summary>The service name rules of the platform we run on: <see cref="WindowsServiceName"/> on Windows, else <see cref="UnitName"/>.</summary>
public static class ServiceName
{
    /// <summary>What a service is called here, for messages: "Windows service name" or "systemd unit name".</summary>
    public static string Kind => OperatingSystem.IsWindows() ? "Windows service name" : "systemd unit name";

    /// <summary>Whether <paramref name="name"/> is valid on this platform.</summary>
    public static bool IsValid(string? name) => OperatingSystem.IsWindows() ? WindowsServiceName.IsValid(name) : UnitName.IsValid(name);

    /// <summary>Throws unless <paramref name="name"/> is valid on this platform.</summary>
    /// <exception cref="ArgumentException">The name is not valid here.</exception>
    public static string Validate(string name) => OperatingSystem.IsWindows() ? WindowsServiceName.Validate(name) : UnitName.Validate(name);
}
