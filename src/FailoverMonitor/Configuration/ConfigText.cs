using FailoverMonitor.Text;

namespace FailoverMonitor.Configuration;

/// <summary>A value from <c>tunnels.json</c> as a problem shows it: made safe by <see cref="SafeText"/>, cut short, quoted.</summary>
internal static class ConfigText
{
    /// <summary>Longest piece of a value echoed in a problem, characters.</summary>
    public const int MaxEcho = 80;

    /// <summary><paramref name="value"/> with control characters escaped, cut to <see cref="MaxEcho"/> characters.</summary>
    public static string Safe(string value) => SafeText.Clean(value, MaxEcho)!;

    /// <summary><paramref name="value"/> made safe and in double quotes; <c>null</c> for null.</summary>
    public static string Quote(string? value) => value is null ? "null" : "\"" + Safe(value).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary>True when <paramref name="value"/> holds nothing <see cref="SafeText"/> would escape.</summary>
    public static bool IsClean(string value) => string.Equals(SafeText.Clean(value, int.MaxValue), value, StringComparison.Ordinal);
}
