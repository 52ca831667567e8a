using FailoverMonitor.Gateway;

namespace FailoverMonitor.Tests.TestSupport;

/// <summary>A gateway probe whose answer the test sets; counts probes.</summary>
public sealed class FakeGatewayProbe : IGatewayProbe
{
    private int _probes;

    /// <summary>What the next probes answer.</summary>
    public GatewayProbeResult Answer { get; set; } = new(true);

    /// <summary>Probes made so far.</summary>
    public int Probes => Volatile.Read(ref _probes);

    /// <inheritdoc />
    public Task<GatewayProbeResult> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        return Task.FromResult(Answer);
    }
}
