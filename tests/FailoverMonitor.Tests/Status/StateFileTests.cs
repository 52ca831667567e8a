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

    [Fact]
    public void TryWrite_ThenRead_EveryFieldComesBack()
    {
        var snapshot = new StatusSnapshot
        {
            Pid = 4242,
            ProcessStartTicks = 123456,
            Version = "1.2.3",
            ConfigPath = "/opt/failover-monitor/tunnels.json",
            StartedAt = FakeTimeProvider.Start,
            UpdatedAt = FakeTimeProvider.Start + TimeSpan.FromSeconds(9),
            LastGoodCheckAt = FakeTimeProvider.Start + TimeSpan.FromSeconds(6),
            FailedChecks = 1,
            CheckError = "probe broke",
            CheckInterval = 3,
            DryRun = true,
            GatewayIp = "192.0.2.1",
            GatewayReachable = false,
            Tunnels = [new TunnelStatusEntry
            {
                Name = "web", TunnelId = "t1", Status = "down", UnknownReason = null, LiveConnectors = ["c1", "c2"], LocalConnectorId = "c2",
                Service = "backup", BackupActive = true, BackupActiveSince = FakeTimeProvider.Start, ConsecutiveFailures = 2, ConsecutiveRecoveries = 1,
                LastAction = "started", LastActionAt = FakeTimeProvider.Start, HeldSince = FakeTimeProvider.Start, HeldUntil = FakeTimeProvider.Start + TimeSpan.FromHours(1),
                RetryAt = FakeTimeProvider.Start + TimeSpan.FromSeconds(30),
            }],
            Tokens = [new TokenStatusEntry { Tunnels = ["web"], RequestsSent = 17, BudgetPer5Minutes = 200, RateLimitedUntil = FakeTimeProvider.Start }],
        };

        Assert.Null(new StateFile(StatePath).TryWrite(snapshot));
        var read = new StateFile(StatePath).Read()!;

        Assert.Equal(StatusReport.ToJson(snapshot), StatusReport.ToJson(read));
        Assert.Equal(["c1", "c2"], read.Tunnels[0].LiveConnectors!);
        Assert.Equal(17, read.Tokens[0].RequestsSent);
    }

    [Fact]
    public void TryWrite_OverAnOlderSnapshotInAMissingDirectory_DirectoryMadeAndSnapshotReplaced()
    {
        var path = Path.Combine(_dir.Path, "run", "failover-monitor", "state.json");

        Assert.Null(new StateFile(path).TryWrite(new StatusSnapshot { Pid = 1 }));
        Assert.Null(new StateFile(path).TryWrite(new StatusSnapshot { Pid = 2 }));

        Assert.Equal(2, new StateFile(path).Read()!.Pid);
        Assert.Equal(["state.json"], Directory.GetFiles(Path.GetDirectoryName(path)!).Select(Path.GetFileName));
    }

    [Fact]
    public void TryWrite_DirectoryIsAFile_ErrorReturnedNotThrown()
    {
        var blocker = _dir.Write("not-a-directory", "x");

        var error = new StateFile(Path.Combine(blocker, "state.json")).TryWrite(new StatusSnapshot { Pid = 1 });

        Assert.False(string.IsNullOrEmpty(error));
    }

    [Fact]
    public void Read_NoFile_Null() => Assert.Null(new StateFile(StatePath).Read());

    [Theory]
    [InlineData("", "it is empty")]
    [InlineData("null", "it holds null")]
    public void Read_EmptyOrNull_InvalidDataSayingWhich(string content, string message)
    {
        File.WriteAllText(StatePath, content);

        var e = Assert.Throws<InvalidDataException>(() => new StateFile(StatePath).Read());

        Assert.Contains(message, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Delete_Written_FileGoneAndDeletingAgainIsHarmless()
    {
        var file = new StateFile(StatePath);
        Assert.Null(file.TryWrite(new StatusSnapshot { Pid = 1 }));

        file.Delete();
        file.Delete();

        Assert.False(File.Exists(StatePath));
    }
}
