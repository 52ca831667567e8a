namespace FakeCloudflareApi;

/// <summary>Injected faults in order; taking one counts down its <see cref="FakeFault.Times"/>.</summary>
internal sealed class FaultList
{
    private readonly Lock _gate = new();
    private readonly List<Entry> _entries = [];

    public void Add(FakeFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Times ?? 1, nameof(fault.Times));
        lock (_gate)
        {
            _entries.Add(new Entry(fault) { Remaining = fault.Times });
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>The first fault matching the request, counted as used; null when none matches.</summary>
    public FakeFault? Take(string path, string? token)
    {
        lock (_gate)
        {
            var index = _entries.FindIndex(e => e.Fault.Matches(path, token));
            if (index < 0)
            {
                return null;
            }

            var entry = _entries[index];
            if (entry.Remaining is not null && --entry.Remaining == 0)
            {
                _entries.RemoveAt(index);
            }

            return entry.Fault;
        }
    }

    private sealed class Entry(FakeFault fault)
    {
        public FakeFault Fault { get; } = fault;
        public int? Remaining { get; set; }
    }
}
