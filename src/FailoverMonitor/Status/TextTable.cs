namespace FailoverMonitor.Status;

/// <summary>Plain-text tables for terminal output (<c>status</c>, <c>check-config</c>).</summary>
public static class TextTable
{
    /// <summary>Left-aligned columns, two spaces apart; the first row is the header. Every row has the same number of cells.</summary>
    public static string Render(IReadOnlyList<string[]> rows)
    {
        var widths = Enumerable.Range(0, rows[0].Length).Select(i => rows.Max(r => r[i].Length)).ToArray();
        return string.Concat(rows.Select(row =>
            string.Join("  ", row.Select((cell, i) => i == row.Length - 1 ? cell : cell.PadRight(widths[i]))).TrimEnd() + Environment.NewLine));
    }
}
