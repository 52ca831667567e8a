using System.Diagnostics;
using FailoverMonitor.Status;
using FailoverMonitor.Tests.TestSupport;

namespace FailoverMonitor.Tests.Status;

public sealed class ProcessIdentityTests
{
    [Fact]
    public void StartTicks_ThisProcess_SameValueEveryTime()
    {
        var first = ProcessIdentity.StartTicks(Environment.ProcessId);

        Assert.NotNull(first);
        Assert.True(first > 0);
        Assert.Equal(first, ProcessIdentity.StartTicks(Environment.ProcessId));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(int.MaxValue)]
    public void StartTicks_NoSuchProcess_Null(int pid) => Assert.Null(ProcessIdentity.StartTicks(pid));

    [Fact]
    public async Task StartTicks_CommandNameWithSpacesAndParenthesis_CountedFromTheLastParenthesis()
    {
        // A child whose name (field 2 of /proc/PID/stat) holds ") " shifts every field for a naive split.
        using var dir = new TempDirectory();
        var name = Path.Combine(dir.Path, "x) 1 2 (y");
        File.CreateSymbolicLink(name, "/bin/sleep");
        using var child = Process.Start(new ProcessStartInfo(name, "30") { UseShellExecute = false })!;
        try
        {
            var ticks = ProcessIdentity.StartTicks(child.Id);

            Assert.NotNull(ticks);
            Assert.True(ticks >= ProcessIdentity.StartTicks(Environment.ProcessId), $"the child started after this process, yet {ticks}");
        }
        finally
        {
            child.Kill();
            await child.WaitForExitAsync(TestContext.Current.CancellationToken);
        }
    }
}
