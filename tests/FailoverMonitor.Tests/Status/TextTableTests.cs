using FailoverMonitor.Status;

namespace FailoverMonitor.Tests.Status;

public sealed class TextTableTests
{
    [Fact]
    public void Render_Rows_ColumnsLeftAlignedTwoSpacesApartNoTrailingBlanks()
    {
        var text = TextTable.Render([["NAME", "ID", "NOTE"], ["a", "123456", ""], ["longer", "1", "x"]]);

        Assert.Equal(
            string.Join(Environment.NewLine, "NAME    ID      NOTE", "a       123456", "longer  1       x", ""),
            text);
    }

    [Fact]
    public void Render_HostileCell_ControlCharactersEscapedAndCutToTheCap()
    {
        var text = TextTable.Render([["H"], ["\u001b[2Jevil\nline"], [new string('y', 5000)]]);

        var lines = text.Split(Environment.NewLine);
        Assert.DoesNotContain('\u001b', text);
        Assert.Equal(4, lines.Length); // header, two rows, and the empty rest after the last line break
        Assert.Contains("\\n", lines[1], StringComparison.Ordinal);
        Assert.Equal(TextTable.MaxCellLength + 1, lines[2].Length);
        Assert.EndsWith("…", lines[2], StringComparison.Ordinal);
    }
}
