using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

public sealed class TunnelStatusesTests
{
    [Theory]
    [InlineData("healthy", TunnelStatus.Healthy)]
    [InlineData("degraded", TunnelStatus.Degraded)]
    [InlineData("down", TunnelStatus.Down)]
    [InlineData("inactive", TunnelStatus.Inactive)]
    public void Parse_ApiWord_StatusThatWritesBackTheSameWord(string word, TunnelStatus status)
    {
        Assert.Equal(status, TunnelStatuses.Parse(word));
        Assert.Equal(word, status.ToApiString());
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Down")] // the API writes lower case; anything else is not a status it knows
    [InlineData("down ")]
    [InlineData("deleted")]
    public void Parse_AnythingElse_NullSoTheTunnelIsUnknownNotDown(string? word) => Assert.Null(TunnelStatuses.Parse(word));
}
