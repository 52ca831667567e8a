using System.Globalization;
using System.Text;

namespace FailoverMonitor.Text;

/// <summary>
/// Makes text that comes from outside (API answers, files, the configuration) safe to log or print: a control
/// character cannot start a forged log line or reach the operator's terminal as an escape sequence, and a huge
/// string cannot become one huge line. Depends on nothing else of ours, so every folder may use it.
/// </summary>
public static class SafeText
{
    /// <summary>Default cap, in characters of the result, ellipsis excluded.</summary>
    public const int DefaultMaxLength = 200;

    /// <summary>Appended where text was cut.</summary>
    public const string Ellipsis = "…";

    /// <summary>
    /// <paramref name="value"/> with every C0 and C1 control, DEL, Unicode format character (bidi overrides,
    /// zero-width characters), line or paragraph separator and lone surrogate replaced by a visible escape
    /// (<c>\n</c>, <c>\x1B</c>, <c>\u202E</c>), then cut to <paramref name="maxLength"/> characters plus
    /// <see cref="Ellipsis"/>. Clean text comes back unchanged; null comes back as null.
    /// </summary>
    public static string? Clean(string? value, int maxLength = DefaultMaxLength)
    {
        if (value is null || (value.Length <= maxLength && !value.Any(NeedsEscape)))
        {
            return value;
        }

        var text = new StringBuilder(Math.Min(value.Length, maxLength) + 1);
        for (var i = 0; i < value.Length; i++)
        {
            var c = value[i];
            var pair = char.IsHighSurrogate(c) && i + 1 < value.Length && char.IsLowSurrogate(value[i + 1]);
            var piece = pair ? value.Substring(i, 2) : NeedsEscape(c) ? Escape(c) : c.ToString();
            if (text.Length + piece.Length > maxLength)
            {
                return text.Append(Ellipsis).ToString();
            }

            text.Append(piece);
            i += pair ? 1 : 0;
        }

        return text.ToString();
    }

    private static bool NeedsEscape(char c) => char.GetUnicodeCategory(c) is
        UnicodeCategory.Control or UnicodeCategory.Format or UnicodeCategory.LineSeparator
        or UnicodeCategory.ParagraphSeparator or UnicodeCategory.Surrogate;

    private static string Escape(char c) => c switch
    {
        '\n' => "\\n",
        '\r' => "\\r",
        '\t' => "\\t",
        < '\u0100' => $"\\x{(int)c:X2}",
        _ => $"\\u{(int)c:X4}",
    };
}
