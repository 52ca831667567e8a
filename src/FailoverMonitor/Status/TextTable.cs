using FailoverMonitor.Text;

namespace FailoverMonitor.Status;

/// <summary>Plain-text tables for terminal output (<c>status</c>, <c>check-config</c>).</summary>
public static class TextTable
{
    /// <summary>Longest cell shown, in characters; a longer one is cut with an ellipsis.</summary>
    public const int MaxCellLength = 300;

    /// <summary>
    /// Left-aligned columns, two spaces apart; the first row is the header. Every row has the same number of cells.
    /// Cells are cleaned (<see cref="SafeText"/>, at most <see cref="MaxCellLength"/>), the last defence against a
    /// string from outside that reaches the terminal.
    /// </summary>
    public static string Render(IReadOnlyList<string[]> rows)
    {
        rows = rows.Select(r => r.Select(c => SafeText.Clean(c, MaxCellLength) ?? "").ToArray()).ToList();
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return string.Concat(rows.Select(row =>
            string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd() + Environment.NewLine));
    }
}
