using System.Globalization;
using System.Text;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Text from <c>tunnels.json</c> as it may appear in a problem, a log line or <c>status</c>: control and format
/// characters (a newline that forges a log line, an escape sequence for the operator's terminal) are shown as
/// <c>\uXXXX</c> escapes and long values are cut, so a value can never rewrite what is around it.
/// </summary>
internal static class ConfigText
{
    /// <summary>Longest piece of a value echoed in a message, characters.</summary>
    public const int MaxEcho = 80;

    /// <summary><paramref name="value"/> in double quotes, escaped and cut (see <see cref="Safe"/>).</summary>
    public static string Quote(string? value) => value is null ? "null" : "\"" + Safe(value).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"";

    /// <summary><paramref name="value"/> with unsafe characters as <c>\uXXXX</c> and cut to <see cref="MaxEcho"/> characters plus "…".</summary>
    public static string Safe(string value)
    {
        var builder = new StringBuilder(Math.Min(value.Length, MaxEcho) + 8);
        for (var i = 0; i < value.Length && i < MaxEcho; i++)
        {
            if (IsUnsafe(value[i]))
            {
                builder.Append(CultureInfo.InvariantCulture, $"\\u{(int)value[i]:x4}");
            }
            else
            {
                builder.Append(value[i]);
            }
        }

        return value.Length > MaxEcho ? builder.Append('…').ToString() : builder.ToString();
    }

    /// <summary>True for characters that must not reach a log line or terminal raw: control, format, line and paragraph separators, surrogates.</summary>
    public static bool IsUnsafe(char c) => char.GetUnicodeCategory(c) is UnicodeCategory.Control or UnicodeCategory.Format
        or UnicodeCategory.LineSeparator or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;
}
