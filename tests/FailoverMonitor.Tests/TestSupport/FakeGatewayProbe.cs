using FailoverMonitor.Gateway;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>A gateway probe whose answer the test sets; counts probes.</summary>
public sealed class FakeGatewayProbe : IGatewayProbe
{
    private int _probes;

    /// <summary>What the next probes answer.</summary>
    public GatewayProbeResult Answer { get; set; } = new(true);

    /// <summary>When set, every probe throws it (a cycle that fails every time).</summary>
    public Exception? Throws { get; set; }

    /// <summary>Probes made so far.</summary>
    public int Probes => Volatile.Read(ref _probes);

    /// <inheritdoc />
    public Task<GatewayProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        return Throws is { } e ? Task.FromException<GatewayProbeResult>(e) : Task.FromResult(Answer);
    }
}
