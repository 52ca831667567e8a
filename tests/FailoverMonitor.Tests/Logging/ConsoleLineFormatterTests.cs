using FailoverMonitor.Logging;
using Serilog.Events;
using Serilog.Parsing;

namespace FailoverMonitor.Tests.Logging;

/// <summary><see cref="ConsoleLineFormatter"/>: journald's <c>&lt;N&gt;message</c> lines and the terminal's file-like ones.</summary>
public sealed class ConsoleLineFormatterTests
{
    private static readonly DateTimeOffset Timestamp = new(2026, 12, 1, 9, 30, 5, TimeSpan.FromHours(1));

    [Theory]
    [InlineData(LogEventLevel.Debug, "<7>")]
    [InlineData(LogEventLevel.Information, "<6>")]
    [InlineData(LogEventLevel.Warning, "<4>")]
    [InlineData(LogEventLevel.Error, "<3>")]
    [InlineData(LogEventLevel.Fatal, "<2>")]
    public void Format_Journal_PriorityPrefixAndMessageOnly(LogEventLevel level, string prefix)
    {
        var text = Format(journal: true, level, "Tunnel web status: healthy");

        Assert.Equal($"{prefix}Tunnel web status: healthy\n", text);
    }

    [Fact]
    public void Format_JournalMessageOfSeveralLines_EveryLineCarriesThePriority()
    {
        var text = Format(journal: true, LogEventLevel.Fatal, "Invalid configuration x.json (2 problems):\r\n  - $.a: bad\n  - $.b: bad");

        Assert.Equal("<2>Invalid configuration x.json (2 problems):\n<2>  - $.a: bad\n<2>  - $.b: bad\n", text);
    }

    [Fact]
    public void Format_JournalWithException_ExceptionLinesFollowAtTheSamePriority()
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

        var lines = Format(journal: true, LogEventLevel.Error, "Check cycle failed: cycle broke", thrown).TrimEnd('\n').Split('\n');

        Assert.Equal("<3>Check cycle failed: cycle broke", lines[0]);
        Assert.Equal("<3>System.InvalidOperationException: cycle broke", lines[1]);
        Assert.True(lines.Length > 2, "the stack trace is missing");
        Assert.All(lines, line => Assert.StartsWith("<3>", line));
    }

    [Fact]
    public void Format_Terminal_EventTimeAndTheFilesLevelWord()
    {
        var text = Format(journal: false, LogEventLevel.Warning, "Gateway 192.168.1.1 unreachable");

        Assert.Equal("2026-12-01 09:30:05 [WARNING] Gateway 192.168.1.1 unreachable\n", text);
    }

    [Fact]
    public void Format_StructuredProperties_RenderedAsInTheFileWithoutQuotes()
    {
        var template = new MessageTemplateParser().Parse("Tunnel {TunnelName} is {Status}");
        var properties = new[] { new LogEventProperty("TunnelName", new ScalarValue("web")), new LogEventProperty("Status", new ScalarValue("down")) };
        using var writer = new StringWriter();

        new ConsoleLineFormatter(journal: true).Format(new LogEvent(Timestamp, LogEventLevel.Warning, null, template, properties), writer);

        Assert.Equal("<4>Tunnel web is down\n", writer.ToString());
    }

    [Fact]
    public void Format_EmptyMessageNoException_WritesNothing()
    {
        Assert.Equal("", Format(journal: true, LogEventLevel.Information, ""));
    }

    private static string Format(bool journal, LogEventLevel level, string message, Exception? exception = null)
    {
        // A message without holes, as one that came through Microsoft.Extensions.Logging already formatted.
        var template = new MessageTemplate([new TextToken(message)]);
        using var writer = new StringWriter();
        new ConsoleLineFormatter(journal).Format(new LogEvent(Timestamp, level, exception, template, []), writer);
        return writer.ToString();
    }
}
