using FailoverMonitor.Runtime;

namespace FailoverMonitor.Tests.Runtime;

public sealed class StartupPagesTests
{
    private const string Executable = "/opt/failover-monitor/failover-monitor";

    [Fact]
    public void FileMappings_ProcMapsText_TheExecutablesMappingsReadOnlyAndWritable()
    {
        var maps = string.Join('\n',
            "55e0c2a00000-55e0c2a1b000 r--p 00000000 08:01 1234 /opt/failover-monitor/failover-monitor",
            "55e0c2a1b000-55e0c3145000 r-xp 0001b000 08:01 1234 /opt/failover-monitor/failover-monitor",
            "55e0c3145000-55e0c3547000 r--p 00745000 08:01 1234 /opt/failover-monitor/failover-monitor",
            "55e0c3547000-55e0c357d000 rw-p 00b47000 08:01 1234 /opt/failover-monitor/failover-monitor",
            "7f42cc000000-7f42cc021000 rw-p 00000000 00:00 0 ",
            "7f42cd400000-7f42cd67e000 r-xp 00028000 08:01 99 /usr/lib/x86_64-linux-gnu/libc.so.6",
            "7ffd5b3e0000-7ffd5b401000 rw-p 00000000 00:00 0                          [stack]",
            "");

        var ranges = StartupPages.FileMappings(maps, Executable);

        Assert.Equal(
            [
                (0x55e0c2a00000UL, 0x1b000UL),
                (0x55e0c2a1b000UL, 0x72a000UL),
                (0x55e0c3145000UL, 0x402000UL),
                (0x55e0c3547000UL, 0x36000UL),
            ],
            ranges);
    }

    [Fact]
    public void FileMappings_OtherFileWithTheSamePrefixOrBrokenLine_Skipped()
    {
        var maps = "55e0c2a00000-55e0c2a1b000 r--p 00000000 08:01 1234 /opt/failover-monitor/failover-monitor.old\n"
            + "zzzz-55e0c2a1b000 r-xp 0001b000 08:01 1234 /opt/failover-monitor/failover-monitor\n"
            + "55e0c2a1b000 r-xp 0001b000 08:01 1234 /opt/failover-monitor/failover-monitor";

        Assert.Empty(StartupPages.FileMappings(maps, Executable));
    }
}
