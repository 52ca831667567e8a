using System.Text.RegularExpressions;

namespace FailoverMonitor.Configuration;

/// <summary>
/// systemd unit name rules (systemd.unit(5)): ASCII letters, digits, <c>:-_.\@</c>, at most 255 characters.
/// We also refuse a leading <c>-</c> or <c>.</c> and <c>..</c>, so a name can never be read as an option
/// (<c>--now</c>) or a path (<c>../x</c>) by <c>systemctl</c>.
/// </summary>
public static partial class UnitName
{
    /// <summary>Whether <paramref name="name"/> is safe to pass to <c>systemctl</c> as a unit.</summary>
    public static bool IsValid(string? name) =>
        name is { Length: > 0 and <= 255 }
        && Allowed().IsMatch(name)
        && name[0] is not ('-' or '.')
        && !name.Contains("..", StringComparison.Ordinal);

    /// <summary>Throws unless <paramref name="name"/> <see cref="IsValid">is valid</see>.</summary>
    /// <exception cref="ArgumentException">The name is not a safe unit name.</exception>
    public static string Validate(string name) =>
        IsValid(name) ? name : throw new ArgumentException($"\"{name}\" is not a valid systemd unit name", nameof(name));

    [GeneratedRegex(@"^[A-Za-z0-9:_.\\@-]+\z")] // \z, not $: $ also matches before a final newline
    private static partial Regex Allowed();
}
