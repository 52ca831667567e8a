using System.Text.RegularExpressions;
using Microsoft.Extensions.Time.Testing;

namespace FakeCloudflareApi.Tests;

/// <summary>Tests of <see cref="FakeSystemdCommand"/>, the <c>fake-systemd</c> command the bench runs.</summary>
public sealed class FakeSystemdCommandTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fake-systemd-command-");

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private string Units => Path.Combine(_directory.FullName, "units");

    private string Log => Path.Combine(_directory.FullName, "calls.log");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public async Task RunAsync_UnitDirectory_AnswersFromItAndLogsEachCall()
    {
        await using var rig = await SystemdBusRig.StartAsync(Ct);
        Directory.CreateDirectory(Units);
        File.WriteAllText(Path.Combine(Units, "backup-1.tunnel"), "t1");
        File.WriteAllText(Path.Combine(Units, "backup-1.active"), "");
        File.WriteAllText(Path.Combine(Units, "backup-2.tunnel"), "t2");
        var output = new ListeningWriter();
        var stop = new TaskCompletionSource();

        var run = FakeSystemdCommand.RunAsync(["--bus", rig.Address, "--unit-dir", Units, "--log", Log], output, stop.Task);
        await Task.WhenAny(output.Listening, run).WaitAsync(TimeSpan.FromSeconds(10), Ct);
        var units = await rig.ListUnitsByNamesAsync(["backup-1.service", "backup-2.service", "gone.service"], Ct);
        stop.SetResult();

        Assert.Equal(0, await run.WaitAsync(TimeSpan.FromSeconds(10), Ct));
        Assert.Equal($"listening {rig.Address}", output.ToString().Trim());
        Assert.Equal(
            [("loaded", "active"), ("loaded", "inactive"), ("not-found", "inactive")],
            units.Select(u => (u.LoadState, u.ActiveState)));
        Assert.Matches(new Regex(@"^[0-9]{19} ListUnitsByNames 3\n$"), File.ReadAllText(Log));
    }

    [Fact]
    public async Task RunAsync_NoBusOption_ReturnsUsageError()
    {
        Directory.CreateDirectory(Units);

        Assert.Equal(2, await FakeSystemdCommand.RunAsync(["--unit-dir", Units, "--log", Log], TextWriter.Null, Task.CompletedTask));
    }

    [Fact]
    public async Task RunAsync_MissingUnitDirectory_ReturnsUsageError()
    {
        Assert.Equal(2, await FakeSystemdCommand.RunAsync(["--bus", "unix:path=/nonexistent", "--unit-dir", Units, "--log", Log], TextWriter.Null, Task.CompletedTask));
    }

    [Fact]
    public async Task RunAsync_NothingListening_Returns1()
    {
        Directory.CreateDirectory(Units);

        var code = await FakeSystemdCommand.RunAsync(
            ["--bus", $"unix:path={Path.Combine(_directory.FullName, "no-bus")}", "--unit-dir", Units, "--log", Log], TextWriter.Null, Task.CompletedTask);

        Assert.Equal(1, code);
        Assert.False(File.Exists(Log));
    }

    [Fact]
    public void LogLine_Names_EpochNanosecondsVerbAndUnitCount()
    {
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeMilliseconds(1_700_000_000_123));

        Assert.Equal("1700000000123000000 ListUnitsByNames 2\n", FakeSystemdCommand.LogLine(time, ["a.service", "b.service"]));
    }

    /// <summary>Collects the output; <see cref="Listening"/> completes at the first line.</summary>
    private sealed class ListeningWriter : StringWriter
    {
        private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

        public Task Listening => _listening.Task;

        public override async Task WriteLineAsync(string? value)
        {
            await base.WriteLineAsync(value);
            _listening.TrySetResult();
        }
    }
}
