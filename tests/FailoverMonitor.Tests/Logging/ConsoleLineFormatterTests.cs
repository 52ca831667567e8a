using FailoverMonitor.Logging;
using FailoverMonitor.Tests.TestSupport;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace FailoverMonitor.Tests.Logging;

/// <summary><see cref="ConsoleLineFormatter"/>: journald's <c>&lt;N&gt;message</c> lines and the terminal's file-like ones.</summary>
public sealed class ConsoleLineFormatterTests
{
    private const string Category = "FailoverMonitor.Monitoring.MonitorWorker";

    [Theory]
    [InlineData(LogLevel.Debug, "<7>")]
    [InlineData(LogLevel.Information, "<6>")]
    [InlineData(LogLevel.Warning, "<4>")]
    [InlineData(LogLevel.Error, "<3>")]
    [InlineData(LogLevel.Critical, "<2>")]
    public void Write_Journal_PriorityPrefixAndMessageOnly(LogLevel level, string prefix)
    {
        var text = Format(journal: true, level, "Tunnel web status: healthy");

        Assert.Equal($"{prefix}Tunnel web status: healthy\n", text);
    }

    [Fact]
    public void Write_JournalMessageOfSeveralLines_EveryLineCarriesThePriority()
    {
        var text = Format(journal: true, LogLevel.Critical, "Invalid configuration x.json (2 problems):\r\n  - $.a: bad\n  - $.b: bad");

        Assert.Equal("<2>Invalid configuration x.json (2 problems):\n<2>  - $.a: bad\n<2>  - $.b: bad\n", text);
    }

    [Fact]
    public void Write_JournalWithException_ExceptionLinesFollowAtTheSamePriority()
    {
        Exception thrown;
        try
        {
            throw new InvalidOperationException("cycle broke");
        }
        catch (InvalidOperationException e)
        {
            thrown = e;
        }

        var lines = Format(journal: true, LogLevel.Error, "Check cycle failed: cycle broke", thrown).TrimEnd('\n').Split('\n');

        Assert.Equal("<3>Check cycle failed: cycle broke", lines[0]);
        Assert.Equal("<3>System.InvalidOperationException: cycle broke", lines[1]);
        Assert.True(lines.Length > 2, "the stack trace is missing");
        Assert.All(lines, line => Assert.StartsWith("<3>", line));
    }

    [Fact]
    public void Write_Terminal_LocalTimeAndTheFilesLevelWord()
    {
        var time = new FakeTimeProvider();
        var local = time.GetLocalNow();

        var text = Format(journal: false, LogLevel.Warning, "Gateway 192.168.1.1 unreachable", time: time);

        Assert.Equal($"{local:yyyy-MM-dd HH:mm:ss} [WARNING] Gateway 192.168.1.1 unreachable\n", text);
        Assert.DoesNotContain(Category, text);
    }

    [Fact]
    public void Write_EmptyMessageNoException_WritesNothing()
    {
        Assert.Equal("", Format(journal: true, LogLevel.Information, ""));
    }

    private static string Format(bool journal, LogLevel level, string message, Exception? exception = null, TimeProvider? time = null)
    {
        var formatter = new ConsoleLineFormatter(journal, time ?? new FakeTimeProvider());
        using var writer = new StringWriter();
        formatter.Write(new LogEntry<string>(level, Category, new EventId(10, "TunnelStatusChanged"), message, exception, (s, _) => s), null, writer);
        return writer.ToString();
    }
}
