using System.Diagnostics;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Status;

public sealed class StateFileTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    private string StatePath => Path.Combine(_dir.Path, "state.json");

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void TryWrite_PlantedTemporarySymlink_TargetUntouchedAndStateWritten()
    {
        var victim = Path.Combine(_dir.Path, "victim");
        File.WriteAllText(victim, "precious");
        File.CreateSymbolicLink(StatePath + ".tmp", victim);

        var error = new StateFile(StatePath).TryWrite(new StatusSnapshot { Pid = 42 });

        Assert.Null(error);
        Assert.Equal("precious", File.ReadAllText(victim));
        Assert.Equal(42, new StateFile(StatePath).Read()!.Pid);
        Assert.False(File.Exists(StatePath + ".tmp"));
    }

    [Fact]
    public void Read_Directory_InvalidDataNamingIt()
    {
        Directory.CreateDirectory(StatePath);

        var e = Assert.Throws<InvalidDataException>(() => new StateFile(StatePath).Read());

        Assert.Contains("directory", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Read_Fifo_InvalidDataAtOnceWithoutOpeningIt()
    {
        using (var mkfifo = Process.Start("mkfifo", StatePath))
        {
            await mkfifo.WaitForExitAsync(TestContext.Current.CancellationToken);
        }

        var read = Task.Run(() => new StateFile(StatePath).Read(), TestContext.Current.CancellationToken);

        await Assert.ThrowsAsync<InvalidDataException>(() => read.WaitAsync(TimeSpan.FromSeconds(10), TestContext.Current.CancellationToken));
    }

    [Fact]
    public void Read_LargerThanTheCap_InvalidData()
    {
        File.WriteAllText(StatePath, "{\"pid\":1,\"version\":\"" + new string('x', StateFile.MaxBytes) + "\"}");

        var e = Assert.Throws<InvalidDataException>(() => new StateFile(StatePath).Read());

        Assert.Contains("larger than", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("")]
    [InlineData("garbage")]
    [InlineData("{\"pid\":\"x\"}")]
    [InlineData("null")]
    public void Read_Garbage_InvalidData(string content)
    {
        File.WriteAllText(StatePath, content);

        Assert.Throws<InvalidDataException>(() => new StateFile(StatePath).Read());
    }

    [Fact]
    public void Read_NullsInside_EmptyValuesInstead()
    {
        File.WriteAllText(StatePath, """{"pid":7,"version":null,"config_path":null,"gateway_ip":null,"tunnels":[null,{"name":null,"tunnel_id":null,"service":null,"live_connectors":[null,"abc"]}],"tokens":[null,{"tunnels":null}]}""");

        var snapshot = new StateFile(StatePath).Read()!;

        var tunnel = Assert.Single(snapshot.Tunnels);
        Assert.Equal("", tunnel.Name);
        Assert.Equal("", tunnel.TunnelId);
        Assert.Equal(["abc"], tunnel.LiveConnectors!);
        Assert.Empty(Assert.Single(snapshot.Tokens).Tunnels);
        Assert.Contains("FailoverMonitor", StatusReport.ToTable(snapshot, FakeTimeProvider.Start), StringComparison.Ordinal);
    }
}
