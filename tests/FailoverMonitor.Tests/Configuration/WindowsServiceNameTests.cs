using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary><see cref="WindowsServiceName"/>: Windows' rules, and nothing sc.exe could read as an option.</summary>
public sealed class WindowsServiceNameTests
{
    [Theory]
    [InlineData("cloudflared-backup")]
    [InlineData("Cloudflared Backup")]
    [InlineData("cloudflared@web.service")]
    [InlineData("a=b")]
    [InlineData("x")]
    public void Validate_ValidName_ReturnsIt(string name)
    {
        Assert.True(WindowsServiceName.IsValid(name));
        Assert.Equal(name, WindowsServiceName.Validate(name));
    }

    [Fact]
    public void IsValid_LongestName_True() => Assert.True(WindowsServiceName.IsValid(new string('a', WindowsServiceName.MaxLength)));

    [Theory]
    [InlineData("")]
    [InlineData(" leading")]
    [InlineData("trailing ")]
    [InlineData("tab\t")]
    [InlineData("-x")]
    [InlineData("/x")]
    [InlineData("a/b")]
    [InlineData("a\\b")]
    [InlineData("\\\\server")]
    [InlineData("a\"b")]
    [InlineData("a\nb")]
    [InlineData("type=")]
    public void Validate_InvalidName_ThrowsArgumentException(string name)
    {
        Assert.False(WindowsServiceName.IsValid(name));
        var e = Assert.Throws<ArgumentException>(() => WindowsServiceName.Validate(name));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void IsValid_OverMaxLength_False() => Assert.False(WindowsServiceName.IsValid(new string('a', WindowsServiceName.MaxLength + 1)));
}
