namespace FakeCloudflareApi;

/// <summary>
/// Unit states as the bench's fake <c>systemctl</c> keeps them, one directory of marker files: <c>UNIT.tunnel</c>
/// (the unit exists: LoadState <c>loaded</c>) and <c>UNIT.active</c> (ActiveState <c>active</c>). UNIT is the name
/// systemctl was given, so <c>x.service</c> is looked up as <c>x.service</c>, then as <c>x</c>.
/// </summary>
/// <param name="directory">The directory of marker files (<c>$BENCH_UNIT_DIR</c>).</param>
public sealed class UnitStateDirectory(string directory)
{
    private const string ServiceSuffix = ".service";

    /// <summary>
    /// The state of <paramref name="unit"/> read from the files now: <c>loaded</c> or <c>not-found</c>,
    /// <c>active</c> or <c>inactive</c>, never a job.
    /// </summary>
    public FakeUnitState Read(string unit) =>
        new(Has(unit, ".tunnel") ? "loaded" : "not-found", Has(unit, ".active") ? "active" : "inactive");

    private bool Has(string unit, string marker) =>
        File.Exists(Path.Combine(directory, unit + marker))
        || (unit.EndsWith(ServiceSuffix, StringComparison.Ordinal)
            && File.Exists(Path.Combine(directory, unit[..^ServiceSuffix.Length] + marker)));
}
