using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

/// <summary>The word tables of the modes: parsing, writing, order, and a word for every value.</summary>
public sealed class ConfigWordsTests
{
    [Theory]
    [InlineData("second_connector", FailbackMode.SecondConnector)]
    [InlineData("healthy", FailbackMode.Healthy)]
    [InlineData("never", FailbackMode.Never)]
    public void Parse_EachWord_ItsValueAndBack(string word, FailbackMode mode)
    {
        Assert.Equal(mode, FailbackModes.Words.Parse(word));
        Assert.Equal(word, FailbackModes.Words.Word(mode));
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Healthy")]
    [InlineData(" healthy")]
    public void Parse_OtherText_Null(string? word) => Assert.Null(FailbackModes.Words.Parse(word));

    [Fact]
    public void All_EveryWordInTableOrder() =>
        Assert.Equal(["failover", "failback", "restart", "hold", "config_problem"], AlertEvents.Words.All);

    [Fact]
    public void Word_ValueNotInTable_Throws()
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => TunnelStatuses.Failable.Word(TunnelStatus.Healthy));
        Assert.Throws<ArgumentOutOfRangeException>(() => AlertFormats.Words.Word((AlertFormat)99));
    }

    [Fact]
    public void EveryModeEnum_EachValueHasAWord()
    {
        Assert.All(Enum.GetValues<TunnelStatus>(), s => Assert.NotNull(TunnelStatuses.Words.Parse(TunnelStatuses.Words.Word(s))));
        Assert.All(Enum.GetValues<FailbackMode>(), m => Assert.NotNull(FailbackModes.Words.Parse(FailbackModes.Words.Word(m))));
        Assert.All(Enum.GetValues<AlertFormat>(), f => Assert.NotNull(AlertFormats.Words.Parse(f.ToConfigWord())));
        Assert.All(Enum.GetValues<AlertEvent>(), e => Assert.NotNull(AlertEvents.Words.Parse(e.ToConfigWord())));
    }
}
