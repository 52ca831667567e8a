using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary><see cref="UnitName"/>: systemd's character set, and nothing systemctl could read as an option or a path.</summary>
public sealed class UnitNameTests
{
    [Theory]
    [InlineData("cloudflared-backup")]
    [InlineData("cloudflared@web.service")]
    [InlineData("a:b_c.d")]
    [InlineData("dev-disk-by\\x2dlabel.device")]
    [InlineData("x")]
    public void Validate_ValidName_ReturnsIt(string name)
    {
        Assert.True(UnitName.IsValid(name));
        Assert.Equal(name, UnitName.Validate(name));
    }

    [Theory]
    [InlineData("--now")]
    [InlineData("-x")]
    [InlineData("../x")]
    [InlineData("a/b")]
    [InlineData("a..b")]
    [InlineData(".hidden")]
    [InlineData("a b")]
    [InlineData("a;reboot")]
    [InlineData("a$b")]
    [InlineData("a\nb")]
    [InlineData("cloudflared-backup\n")]
    [InlineData("ünit")]
    [InlineData("")]
    public void Validate_InvalidName_ThrowsArgumentException(string name)
    {
        Assert.False(UnitName.IsValid(name));
        var e = Assert.Throws<ArgumentException>(() => UnitName.Validate(name));
        Assert.Equal("name", e.ParamName);
    }

    [Fact]
    public void IsValid_Null_False() => Assert.False(UnitName.IsValid(null));

    [Fact]
    public void IsValid_LengthLimit_255AcceptedAnd256Refused()
    {
        Assert.True(UnitName.IsValid(new string('a', 255)));
        Assert.False(UnitName.IsValid(new string('a', 256)));
    }
}
