namespace FailoverMonitor.Monitoring;

/// <summary>
/// A reload asked for from outside the loop (SIGHUP, <c>systemctl reload</c>), and the loop's waits on the injected
/// clock, which such a request cuts short so that a reload is applied at once rather than after the interval.
/// </summary>
public sealed class ReloadSignal(TimeProvider time)
{
    private readonly object _lock = new();
    private CancellationTokenSource _wake = new();
    private bool _requested;

    /// <summary>Asks for a reload; ends a wait in progress. Any thread.</summary>
    public void Request()
    {
        lock (_lock)
        {
            _requested = true;
            _wake.Cancel();
        }
    }

    /// <summary>Takes the pending request, if any.</summary>
    /// <returns>Whether a reload was asked for since the last take.</returns>
    public bool TryTake()
    {
        lock (_lock)
        {
            if (!_requested)
            {
                return false;
            }

            _requested = false;
            _wake.Dispose();
            _wake = new CancellationTokenSource();
            return true;
        }
    }

    /// <summary>Waits <paramref name="delay"/> on the clock.</summary>
    /// <returns>True when the delay passed; false when a reload request is pending or ended the wait.</returns>
    /// <exception cref="OperationCanceledException"><paramref name="stoppingToken"/> was cancelled.</exception>
    public async Task<bool> WaitAsync(TimeSpan delay, CancellationToken stoppingToken)
    {
        CancellationToken wake;
        lock (_lock)
        {
            if (_requested)
            {
                return false;
            }

            wake = _wake.Token;
        }

        using var linked = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, wake);
        try
        {
            await Task.Delay(delay, time, linked.Token).ConfigureAwait(false);
            return true;
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return false;
        }
    }
}
