using System.Threading.Channels;
using FailoverMonitor.Configuration;
using FailoverMonitor.Logging;
using Microsoft.Extensions.Logging;

namespace FailoverMonitor.Alerts;

/// <summary>
/// Alerts waiting to be sent: a bounded channel between the monitoring loop (writer, never waits) and
/// <see cref="AlertSender"/> (reader). When it is full — the webhooks are down or slow and alerts keep coming — the
/// oldest alert is dropped, with a WARNING that counts the drops, so the loop is never held up and the newest
/// news still goes out.
/// </summary>
public sealed class AlertQueue
{
    /// <summary>Default capacity, alerts.</summary>
    public const int DefaultCapacity = 100;

    private readonly Channel<Alert> _channel;
    private readonly ILogger<AlertQueue> _logger;
    private long _dropped;

    /// <summary>Creates a queue of <see cref="DefaultCapacity"/>.</summary>
    public AlertQueue(ILogger<AlertQueue> logger)
        : this(logger, DefaultCapacity)
    {
    }

    /// <summary>Creates a queue holding at most <paramref name="capacity"/> alerts (1 or more).</summary>
    public AlertQueue(ILogger<AlertQueue> logger, int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _logger = logger;
        Capacity = capacity;
        _channel = Channel.CreateBounded<Alert>(
            new BoundedChannelOptions(capacity) { FullMode = BoundedChannelFullMode.DropOldest, SingleReader = true, SingleWriter = false },
            OnDropped);
    }

    /// <summary>Most alerts held at once.</summary>
    public int Capacity { get; }

    /// <summary>Alerts dropped because the queue was full, since start.</summary>
    public long Dropped => Interlocked.Read(ref _dropped);

    /// <summary>Alerts waiting.</summary>
    public int Count => _channel.Reader.Count;

    /// <summary>The sender's end.</summary>
    public ChannelReader<Alert> Reader => _channel.Reader;

    /// <summary>Queues <paramref name="alert"/> without waiting (dropping the oldest when full).</summary>
    public void Enqueue(Alert alert) => _channel.Writer.TryWrite(alert);

    private void OnDropped(Alert alert)
    {
        var dropped = Interlocked.Increment(ref _dropped);
        Log.AlertDropped(_logger, Capacity, alert.Event.ToConfigWord(), alert.Tunnel, dropped);
    }
}
