using FailoverMonitor.Text;

namespace FailoverMonitor.Tests.Text;

public sealed class SafeTextTests
{
    [Theory]
    [InlineData("healthy")]
    [InlineData("Tunnel web › 서울 🚀")]
    [InlineData("")]
    public void Clean_CleanText_Unchanged(string value) => Assert.Equal(value, SafeText.Clean(value));

    [Fact]
    public void Clean_Null_Null() => Assert.Null(SafeText.Clean(null));

    [Theory]
    [InlineData("down\n2026-01-01 00:00:00 [CRITICAL] forged", "down\\n2026-01-01 00:00:00 [CRITICAL] forged")]
    [InlineData("a\rb\tc", "a\\rb\\tc")]
    [InlineData("\u001b]0;pwned\u0007", "\\x1B]0;pwned\\x07")] // window title
    [InlineData("\u001b]52;c;ZXZpbA==\u001b\\", "\\x1B]52;c;ZXZpbA==\\x1B\\")] // OSC 52 clipboard
    [InlineData("\u001b[2J\u001b[H", "\\x1B[2J\\x1B[H")] // screen clear
    [InlineData("del\u007f", "del\\x7F")]
    [InlineData("c1\u009b31m", "c1\\x9B31m")]
    [InlineData("abc\u202Eexe.txt", "abc\\u202Eexe.txt")] // bidi override
    [InlineData("zero\u200Bwidth", "zero\\u200Bwidth")]
    [InlineData("line\u2028sep", "line\\u2028sep")]
    public void Clean_ControlOrFormatCharacter_VisibleEscape(string value, string expected) =>
        Assert.Equal(expected, SafeText.Clean(value));

    [Fact]
    public void Clean_LoneSurrogate_VisibleEscape() => Assert.Equal("lone\\uD800", SafeText.Clean("lone\uD800"));

    [Fact]
    public void Clean_TenThousandCharacters_CappedWithEllipsis()
    {
        var cleaned = SafeText.Clean(new string('x', 10_000))!;

        Assert.Equal(new string('x', SafeText.DefaultMaxLength) + SafeText.Ellipsis, cleaned);
    }

    [Fact]
    public void Clean_EscapesAtTheCap_NeverCutHalfAnEscapeOrSurrogatePair()
    {
        var cleaned = SafeText.Clean(new string('x', 8) + "\u001b" + "🚀", maxLength: 10)!;
        var pair = SafeText.Clean(new string('x', 9) + "🚀", maxLength: 10)!;

        Assert.Equal(new string('x', 8) + SafeText.Ellipsis, cleaned);
        Assert.Equal(new string('x', 9) + SafeText.Ellipsis, pair);
    }

    [Fact]
    public void Clean_Result_NeverHoldsAControlCharacter()
    {
        var every = new string(Enumerable.Range(0, 0x3000).Select(i => (char)i).ToArray());

        var cleaned = SafeText.Clean(every, int.MaxValue)!;

        Assert.DoesNotContain(cleaned, c => char.IsControl(c) || char.GetUnicodeCategory(c) is System.Globalization.UnicodeCategory.Format);
    }
}
