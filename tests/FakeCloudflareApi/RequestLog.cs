namespace FakeCloudflareApi;

/// <summary>Recorded API requests, plus waiters for a request that has not arrived yet.</summary>
internal sealed class RequestLog(TextWriter? echo)
{
    private readonly Lock _gate = new();
    private readonly List<RecordedRequest> _requests = [];
    private readonly List<(Func<RecordedRequest, bool> Predicate, TaskCompletionSource<RecordedRequest> Done)> _waiters = [];

    public void Add(RecordedRequest request)
    {
        List<TaskCompletionSource<RecordedRequest>> hits = [];
        lock (_gate)
        {
            _requests.Add(request);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Predicate(request))
                {
                    hits.Add(_waiters[i].Done);
                    _waiters.RemoveAt(i);
                }
            }
        }

        hits.ForEach(h => h.TrySetResult(request)); // outside the lock: continuations run asynchronously anyway
        echo?.WriteLine($"{request.At:O} {request.Method} {request.Path}{request.Query} {request.StatusCode}");
    }

    public IReadOnlyList<RecordedRequest> Snapshot()
    {
        lock (_gate)
        {
            return [.. _requests];
        }
    }

    public int Count(Func<RecordedRequest, bool>? predicate)
    {
        lock (_gate)
        {
            return predicate is null ? _requests.Count : _requests.Count(predicate);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _requests.Clear();
        }
    }

    public async Task<RecordedRequest> WaitAsync(Func<RecordedRequest, bool>? predicate, CancellationToken ct)
    {
        predicate ??= static _ => true;
        var done = new TaskCompletionSource<RecordedRequest>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            var existing = _requests.Find(r => predicate(r));
            if (existing is not null)
            {
                return existing;
            }

            _waiters.Add((predicate, done));
        }

        try
        {
            return await done.Task.WaitAsync(ct).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.RemoveAll(w => w.Done == done);
            }
        }
    }
}
