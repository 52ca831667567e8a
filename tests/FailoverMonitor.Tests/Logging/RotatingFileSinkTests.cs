using System.Diagnostics;
using FailoverMonitor.Logging;
using FailoverMonitor.Tests.TestSupport;
using Serilog;
using Serilog.Formatting.Display;

namespace FailoverMonitor.Tests.Logging;

public sealed class RotatingFileSinkTests : IDisposable
{
    private readonly TempDirectory _dir = new();

    public void Dispose() => _dir.Dispose();

    private string LogPath => Path.Combine(_dir.Path, "failover_monitor.log");

    private readonly List<string> _reports = [];

    private (Serilog.Core.Logger Logger, RotatingFileSink Sink) Create(long maxBytes, int retained, string? path = null)
    {
        var sink = new RotatingFileSink(path ?? LogPath, new MessageTemplateTextFormatter("{Message:lj}{NewLine}"), maxBytes, retained, _reports.Add);
        return (new LoggerConfiguration().WriteTo.Sink(sink).CreateLogger(), sink);
    }

    [Fact]
    public void Emit_DiskFull_OneReportAndReopenAndDisposeDoNotThrow()
    {
        // /dev/full fails every write with ENOSPC, as a full disk does. Reopen is what SIGHUP runs (in the signal
        // handler), Dispose what shutdown runs: before, both threw the failed bytes' flush (exit 134, exit 1).
        var (logger, sink) = Create(maxBytes: 1024, retained: 1, path: "/dev/full");
        using (logger)
        {
            logger.Information("one");
            logger.Information("two");
            sink.Reopen();
            logger.Information("three");
        }

        var report = Assert.Single(_reports);
        Assert.Contains("Log file /dev/full cannot be written (No space left on device", report, StringComparison.Ordinal);
        Assert.Contains("monitoring continues", report, StringComparison.Ordinal);
    }

    [Fact]
    public void Emit_DirectoryGoneThenBack_OneReportEachWayAndLinesWrittenAgain()
    {
        var directory = Path.Combine(_dir.Path, "logs");
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, "failover_monitor.log");
        var (logger, sink) = Create(maxBytes: 0, retained: 0, path: path);
        using (logger)
        {
            logger.Information("before");
            Directory.Delete(directory, recursive: true);
            sink.Reopen();
            logger.Information("lost 1");
            logger.Information("lost 2");
            Directory.CreateDirectory(directory);
            logger.Information("after");
        }

        Assert.Equal(2, _reports.Count);
        Assert.Contains("cannot be written", _reports[0], StringComparison.Ordinal);
        Assert.EndsWith($"Log file {path} is written again", _reports[1], StringComparison.Ordinal);
        Assert.Equal("after" + Environment.NewLine, File.ReadAllText(path));
    }

    [Fact]
    public void Emit_PastMaxSize_RotatesLikeLogrotateAndKeepsRetainedFiles()
    {
        var (logger, _) = Create(maxBytes: 100, retained: 2);
        using (logger)
        {
            for (var i = 0; i < 40; i++)
            {
                logger.Information("line {Number:D4} padding-padding", i);
            }
        }

        Assert.True(File.Exists(LogPath));
        Assert.True(File.Exists(LogPath + ".1"));
        Assert.True(File.Exists(LogPath + ".2"));
        Assert.False(File.Exists(LogPath + ".3"));
        Assert.All([LogPath, LogPath + ".1", LogPath + ".2"], f => Assert.True(new FileInfo(f).Length <= 100));
        Assert.EndsWith("line 0039 padding-padding", File.ReadAllLines(LogPath)[^1]);

        // Newest lines in the live file, the ones before in .1: nothing between them is lost.
        var previous = File.ReadAllLines(LogPath + ".1")[^1];
        var first = File.ReadAllLines(LogPath)[0];
        Assert.Equal(int.Parse(previous[5..9]) + 1, int.Parse(first[5..9]));
    }

    [Fact]
    public void Emit_AfterOutsideCopyTruncate_WritesAtTheNewEndWithoutNulBytes()
    {
        var (logger, _) = Create(maxBytes: 0, retained: 0);
        using (logger)
        {
            logger.Information("before rotation");
            File.Copy(LogPath, LogPath + ".1");
            using (var truncate = new FileStream(LogPath, FileMode.Truncate, FileAccess.Write, FileShare.ReadWrite))
            {
            }

            logger.Information("after rotation");
        }

        Assert.Equal("after rotation" + Environment.NewLine, File.ReadAllText(LogPath));
    }

    [Fact]
    public void Reopen_AfterOutsideRename_WritesToANewFileAtThePath()
    {
        var (logger, sink) = Create(maxBytes: 0, retained: 0);
        using (logger)
        {
            logger.Information("old");
            File.Move(LogPath, LogPath + ".1");
            sink.Reopen();
            logger.Information("new");
        }

        Assert.Equal("new" + Environment.NewLine, File.ReadAllText(LogPath));
        Assert.Equal("old" + Environment.NewLine, File.ReadAllText(LogPath + ".1"));
    }

    [Fact]
    public async Task TailF_KeepsFollowingAcrossRotation()
    {
        if (!File.Exists("/usr/bin/tail"))
        {
            Assert.Skip("tail is not installed");
        }

        var (logger, _) = Create(maxBytes: 200, retained: 1);
        logger.Information("start");
        using var tail = Process.Start(new ProcessStartInfo("/usr/bin/tail", ["-n", "+1", "-F", "-s", "0.1", LogPath])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        try
        {
            using var bound = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Assert.Equal("start", await tail.StandardOutput.ReadLineAsync(bound.Token));

            // Enough lines for two rotations; tail -F must show the last one, written after them.
            for (var i = 0; i < 30; i++)
            {
                logger.Information("line {Number:D2} xxxxxxxxxxxxxxxxxxxx", i);
            }

            Assert.True(File.Exists(LogPath + ".1"));
            string? line;
            do
            {
                line = await tail.StandardOutput.ReadLineAsync(bound.Token);
            }
            while (line is not null && !line.StartsWith("line 29", StringComparison.Ordinal));

            Assert.StartsWith("line 29", line);
        }
        finally
        {
            tail.Kill();
            logger.Dispose();
        }
    }
}
