using FailoverMonitor.Logging;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Tests.Logging;

/// <summary>Where log lines go, with a real log file in a temporary directory.</summary>
public sealed class LoggingSetupTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    [Fact]
    public void Configure_WritableFile_DecisionsInTheFileFrameworkChatterAndDebugNot()
    {
        var path = Path.Combine(_dir.Path, "failover_monitor.log");
        string? error = null;

        using (var services = new ServiceCollection().AddLogging(b => error = LoggingSetup.Configure(b, path)).BuildServiceProvider())
        {
            var factory = services.GetRequiredService<ILoggerFactory>();
            factory.CreateLogger("FailoverMonitor").LogInformation("Tunnel web: healthy");
            factory.CreateLogger("FailoverMonitor").LogDebug("too fine");
            factory.CreateLogger("Microsoft.Extensions.Hosting.Internal.Host").LogInformation("Hosting started");
            factory.CreateLogger("System.Net.Http.HttpClient").LogWarning("a warning the operator should see");
        }

        Assert.Null(error);
        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Matches(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d \[INFO\] Tunnel web: healthy$", lines[0]);
        Assert.EndsWith("[WARNING] a warning the operator should see", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Configure_FileCannotBeWritten_ReasonReturnedAndLoggingStillWorks()
    {
        var blocker = _dir.Write("not-a-directory", "x");
        string? error = null;

        using var services = new ServiceCollection().AddLogging(b => error = LoggingSetup.Configure(b, Path.Combine(blocker, "failover_monitor.log"))).BuildServiceProvider();
        services.GetRequiredService<ILoggerFactory>().CreateLogger("FailoverMonitor").LogInformation("still logged to the console");

        Assert.False(string.IsNullOrEmpty(error));
        Assert.Equal(["not-a-directory"], Directory.GetFileSystemEntries(_dir.Path).Select(Path.GetFileName));
    }
}
