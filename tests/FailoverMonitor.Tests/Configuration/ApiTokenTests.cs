using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

public sealed class ApiTokenTests
{
    private const string Token = "Zx9-secret-token-value-0001";

    [Fact]
    public void ToString_Always_HidesTheSecret()
    {
        var token = new ApiToken(Token);

        Assert.DoesNotContain(Token, token.ToString());
        Assert.DoesNotContain(Token, $"{token}");
        Assert.Equal(Token, token.Reveal());
    }

    [Theory]
    [InlineData("abc\r\ndef", "holds a line break (CR or LF)")]
    [InlineData("abc def", "holds a space or tab")]
    [InlineData("abc\u0007def", "holds a control character")]
    [InlineData("abc\u007fdef", "holds a control character")]
    [InlineData("abcédef", "holds a non-ASCII character")]
    public void FindProblem_UnusableValue_SaysWhatWithoutQuotingIt(string value, string problem)
    {
        var found = ApiToken.FindProblem(value);

        Assert.Equal(problem + "; a Cloudflare API token is printable ASCII without spaces", found);
        Assert.DoesNotContain("abc", found, StringComparison.Ordinal);
    }

    [Fact]
    public void FindProblem_Empty_IsEmpty() => Assert.Equal("is empty", ApiToken.FindProblem(""));

    [Fact]
    public void FindProblem_PrintableAscii_Null() => Assert.Null(ApiToken.FindProblem(Token));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void Constructor_Blank_Throws(string value) => Assert.ThrowsAny<ArgumentException>(() => new ApiToken(value));

    [Fact]
    public void Equals_SameSecret_EqualWithTheSameHashOtherwiseNot()
    {
        var a = new ApiToken(Token);
        var b = new ApiToken(Token);
        var other = new ApiToken(Token.ToUpperInvariant());

        Assert.Equal(a, b);
        Assert.Equal(a.GetHashCode(), b.GetHashCode());
        Assert.NotEqual(a, other); // tokens are case-sensitive
        Assert.False(a.Equals(null));
    }
}
