using FailoverMonitor.Configuration;

namespace FailoverMonitor.Tests.Configuration;

public sealed class VersionInfoTests
{
    [Fact]
    public void Current_FromTheBuild_VersionWithoutTheSourceRevision() =>
        Assert.Matches(@"^[0-9]+\.[0-9]+\.[0-9]+(-[0-9A-Za-z.-]+)?$", VersionInfo.Current);
}
