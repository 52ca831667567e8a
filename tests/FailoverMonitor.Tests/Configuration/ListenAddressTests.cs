using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary><see cref="ListenAddress"/>: an address and a port to bind, never a host name other than localhost.</summary>
public sealed class ListenAddressTests
{
    [Theory]
    [InlineData("127.0.0.1:9464", "127.0.0.1:9464")]
    [InlineData("localhost:9464", "127.0.0.1:9464")]
    [InlineData("[::1]:9464", "[::1]:9464")]
    [InlineData("0.0.0.0:65535", "0.0.0.0:65535")]
    public void TryParse_AddressAndPort_TrueWithEndPoint(string value, string expected)
    {
        Assert.True(ListenAddress.TryParse(value, out var endPoint));
        Assert.Equal(expected, endPoint.ToString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("127.0.0.1")]
    [InlineData("127.1:9464")]
    [InlineData("::1:9464")]
    [InlineData("[127.0.0.1]:9464")]
    [InlineData("127.0.0.1:65536")]
    [InlineData("127.0.0.1:-1")]
    [InlineData("127.0.0.1: 9464")]
    public void TryParse_NotAnAddressAndPort_False(string? value) => Assert.False(ListenAddress.TryParse(value, out _));
}
