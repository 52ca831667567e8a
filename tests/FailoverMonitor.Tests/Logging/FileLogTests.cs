using System.Text.RegularExpressions;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;
using Serilog;

namespace FailoverMonitor.Tests.Logging;

/// <summary><see cref="FileLog"/> behind <see cref="LoggingSetup.CreateLogger"/>: the original script's line format and level words, in a real file.</summary>
public sealed partial class FileLogTests : IDisposable
{
    private const string Category = "FailoverMonitor.Monitoring.MonitorWorker";

    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("fm-filelog-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Open_EachLevelFromInformation_OneLineWithTheOriginalsLevelWord()
    {
        var path = LogPath();

        WriteThroughMel(path, logger =>
        {
            logger.LogInformation("tunnel web is healthy");
            logger.LogWarning("tunnel web is down (1/2)");
            logger.LogError("could not start cloudflared-backup");
            logger.LogCritical("configuration invalid");
        });

        var lines = File.ReadAllLines(path);
        Assert.Equal(4, lines.Length);
        AssertLine(lines[0], "INFO", "tunnel web is healthy");
        AssertLine(lines[1], "WARNING", "tunnel web is down (1/2)");
        AssertLine(lines[2], "ERROR", "could not start cloudflared-backup");
        AssertLine(lines[3], "CRITICAL", "configuration invalid");
    }

    [Fact]
    public void Open_DebugAndTrace_NotWritten()
    {
        var path = LogPath();

        // The factory lets everything through, so only the file logger's own minimum level can drop these.
        WriteThroughMel(path, logger =>
        {
            logger.LogTrace("trace line");
            logger.LogDebug("debug line");
            logger.LogInformation("info line");
        });

        var line = Assert.Single(File.ReadAllLines(path));
        AssertLine(line, "INFO", "info line");
    }

    [Fact]
    public void Open_FrameworkCategoryBelowWarning_NotWritten()
    {
        var path = LogPath();

        WriteThroughMel(path, _ => { }, factory =>
        {
            var http = factory.CreateLogger("System.Net.Http.HttpClient.CloudflareTunnelClient");
            http.LogInformation("Sending HTTP request GET");
            var hosting = factory.CreateLogger("Microsoft.Hosting.Lifetime");
            hosting.LogInformation("Application started");
            hosting.LogWarning("host warning");
        });

        var line = Assert.Single(File.ReadAllLines(path));
        AssertLine(line, "WARNING", "host warning");
    }

    [Fact]
    public void Open_StructuredProperties_RenderedLiterallyWithoutQuotes()
    {
        var path = LogPath();

        WriteThroughMel(path, logger => logger.LogWarning("Tunnel {TunnelName} is {Status} ({ConsecutiveFailures}/{Threshold})", "web", "down", 1, 2));

        AssertLine(Assert.Single(File.ReadAllLines(path)), "WARNING", "Tunnel web is down (1/2)");
    }

    [Fact]
    public void Open_ErrorWithException_ExceptionFollowsOnNextLines()
    {
        var path = LogPath();

        WriteThroughMel(path, logger => logger.LogError(new InvalidOperationException("boom"), "start failed"));

        var lines = File.ReadAllLines(path);
        AssertLine(lines[0], "ERROR", "start failed");
        Assert.StartsWith("System.InvalidOperationException: boom", lines[1], StringComparison.Ordinal);
    }

    [Fact]
    public void Open_ExistingFile_AppendsAfterItsContent()
    {
        var path = LogPath();
        File.WriteAllText(path, "2025-12-31 23:59:59 [INFO] from the previous run\n");

        WriteThroughMel(path, logger => logger.LogInformation("new run"));

        var lines = File.ReadAllLines(path);
        Assert.Equal(2, lines.Length);
        Assert.Equal("2025-12-31 23:59:59 [INFO] from the previous run", lines[0]);
        AssertLine(lines[1], "INFO", "new run");
    }

    [Fact]
    public void Open_MissingDirectory_CreatedAndWritten()
    {
        var path = Path.Combine(_directory.FullName, "var", "log", "failover_monitor.log");

        WriteThroughMel(path, logger => logger.LogInformation("hello"));

        AssertLine(Assert.Single(File.ReadAllLines(path)), "INFO", "hello");
    }

    [Fact]
    public void Open_PathUnderARegularFile_NullWithError()
    {
        var file = Path.Combine(_directory.FullName, "plain-file");
        File.WriteAllText(file, "");

        var sink = FileLog.Open(Path.Combine(file, "failover_monitor.log"), 1, 1, out var error);

        Assert.Null(sink);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Open_PathIsADirectory_NullWithError()
    {
        var sink = FileLog.Open(_directory.FullName, 1, 1, out var error);

        Assert.Null(sink);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Fact]
    public void Open_PathUnderProc_NullWithError()
    {
        var sink = FileLog.Open("/proc/failover-monitor-test/failover_monitor.log", 1, 1, out var error);

        Assert.Null(sink);
        Assert.False(string.IsNullOrWhiteSpace(error));
    }

    [Theory]
    [InlineData(Serilog.Events.LogEventLevel.Verbose, "DEBUG")]
    [InlineData(Serilog.Events.LogEventLevel.Debug, "DEBUG")]
    [InlineData(Serilog.Events.LogEventLevel.Information, "INFO")]
    [InlineData(Serilog.Events.LogEventLevel.Warning, "WARNING")]
    [InlineData(Serilog.Events.LogEventLevel.Error, "ERROR")]
    [InlineData(Serilog.Events.LogEventLevel.Fatal, "CRITICAL")]
    public void LevelWord_EachSerilogLevel_PythonLoggingName(Serilog.Events.LogEventLevel level, string expected) =>
        Assert.Equal(expected, FileLog.LevelWord(level));

    private string LogPath() => Path.Combine(_directory.FullName, "failover_monitor.log");

    /// <summary>Logs through Microsoft.Extensions.Logging into the daemon's Serilog logger, then disposes both (flushing and closing the file).</summary>
    private static void WriteThroughMel(string path, Action<Microsoft.Extensions.Logging.ILogger> write, Action<ILoggerFactory>? writeMore = null)
    {
        var sink = FileLog.Open(path, FileLog.DefaultMaxSizeMegabytes, FileLog.DefaultRetainedFiles, out var error);
        Assert.Null(error);
        Assert.NotNull(sink);
        var fileLogger = LoggingSetup.CreateLogger(sink);
        using (var factory = LoggerFactory.Create(b => b.SetMinimumLevel(LogLevel.Trace).AddSerilog(fileLogger, dispose: true)))
        {
            write(factory.CreateLogger(Category));
            writeMore?.Invoke(factory);
        }
    }

    private static void AssertLine(string line, string levelWord, string message)
    {
        var match = LinePattern().Match(line);
        Assert.True(match.Success, $"not in the log format: \"{line}\"");
        Assert.Equal(levelWord, match.Groups["level"].Value);
        Assert.Equal(message, match.Groups["message"].Value);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} \[(?<level>INFO|WARNING|ERROR|CRITICAL)\] (?<message>.*)\z")]
    private static partial Regex LinePattern();
}
