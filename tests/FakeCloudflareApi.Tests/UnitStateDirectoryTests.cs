namespace FakeCloudflareApi.Tests;

/// <summary>Tests of <see cref="UnitStateDirectory"/>: the fake systemctl's marker files read as systemd states.</summary>
public sealed class UnitStateDirectoryTests : IDisposable
{
    private readonly DirectoryInfo _directory = Directory.CreateTempSubdirectory("unit-states-");

    public void Dispose() => _directory.Delete(recursive: true);

    [Fact]
    public void Read_TunnelAndActiveMarkers_LoadedActive()
    {
        Touch("backup-1.tunnel", "backup-1.active");

        Assert.Equal(new FakeUnitState("loaded", "active"), new UnitStateDirectory(_directory.FullName).Read("backup-1"));
    }

    [Fact]
    public void Read_ServiceNameOfABareUnit_FindsTheBareMarkers()
    {
        Touch("backup-1.tunnel");

        Assert.Equal(new FakeUnitState("loaded", "inactive"), new UnitStateDirectory(_directory.FullName).Read("backup-1.service"));
    }

    [Fact]
    public void Read_NoMarkers_NotFoundInactive()
    {
        Touch("other.tunnel", "other.active");

        Assert.Equal(FakeUnitState.NotFound, new UnitStateDirectory(_directory.FullName).Read("backup-1.service"));
    }

    [Fact]
    public void Read_MarkerRemoved_ReadsTheFilesAgain()
    {
        Touch("backup-1.tunnel", "backup-1.active");
        var units = new UnitStateDirectory(_directory.FullName);
        Assert.Equal("active", units.Read("backup-1.service").ActiveState);

        File.Delete(Path.Combine(_directory.FullName, "backup-1.active"));

        Assert.Equal("inactive", units.Read("backup-1.service").ActiveState);
    }

    private void Touch(params string[] names)
    {
        foreach (var name in names)
        {
            File.WriteAllText(Path.Combine(_directory.FullName, name), "");
        }
    }
}
