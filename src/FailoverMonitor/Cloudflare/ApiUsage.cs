using System.Collections.Concurrent;
using FailoverMonitor.Configuration;

namespace FailoverMonitor.Cloudflare;

/// <summary>
/// Per-token bookkeeping of Cloudflare API use, shared by every tunnel that uses the token: requests sent, and the
/// lock-out a 429 imposes. Cloudflare limits a user to 1,200 requests per 5 minutes and answers 429 with
/// <c>Retry-After</c> beyond that (Cloudflare API limits page); another request before then only extends the lock-out.
/// </summary>
public sealed class ApiUsage(TimeProvider timeProvider)
{
    /// <summary>Lock-out assumed for a 429 without <c>Retry-After</c>: Cloudflare blocks for 5 minutes.</summary>
    public static readonly TimeSpan DefaultLockout = TimeSpan.FromMinutes(5);

    private readonly ConcurrentDictionary<ApiToken, Entry> _entries = new();

    /// <summary>Throws when <paramref name="token"/> is locked out, so no request is sent for it.</summary>
    /// <exception cref="CloudflareApiException">Kind <see cref="ApiFailureKind.RateLimited"/>, naming when the lock-out ends.</exception>
    public void EnsureAllowed(ApiToken token)
    {
        if (_entries.TryGetValue(token, out var entry) && entry.BlockedUntil is { } until && timeProvider.GetUtcNow() < until)
        {
            throw new CloudflareApiException(ApiFailureKind.RateLimited,
                $"rate limited by Cloudflare (429) until {until:HH:mm:ss} UTC; no request sent for this token until then",
                retryAfter: until - timeProvider.GetUtcNow());
        }
    }

    /// <summary>The window Cloudflare's request limit counts in.</summary>
    public static readonly TimeSpan Window = TimeSpan.FromMinutes(5);

    /// <summary>Raised after each API call (its retries included): the token's name, how the call ended and how long it took. For metrics.</summary>
    public event Action<ApiCallRecord>? CallCompleted;

    /// <summary>Counts one request sent with <paramref name="token"/>.</summary>
    public void CountRequest(ApiToken token)
    {
        var entry = Get(token);
        Interlocked.Increment(ref entry.Requests);
        lock (entry.Recent)
        {
            entry.Recent.Enqueue(timeProvider.GetUtcNow());
            Prune(entry);
        }
    }

    /// <summary>
    /// Names each token by the tunnels that use it (their display names, comma-separated, as the state file lists
    /// them), so metrics can tell tokens apart without ever showing one.
    /// </summary>
    public void NameTokens(IEnumerable<TunnelSettings> tunnels, TunnelTokens tokens)
    {
        foreach (var group in tokens.GroupByToken(tunnels))
        {
            Get(group.Key).Name = string.Join(",", group.Select(t => t.Name));
        }
    }

    /// <summary>Requests sent in the last <see cref="Window"/> by each named token (see <see cref="NameTokens"/>).</summary>
    public IReadOnlyList<(string Token, int Requests)> RecentRequests() =>
        _entries.Values.Where(e => e.Name is not null).Select(e =>
        {
            lock (e.Recent)
            {
                Prune(e);
                return (e.Name!, e.Recent.Count);
            }
        }).ToList();

    /// <summary>Marks the start of an API call, for <see cref="CallEnded"/>.</summary>
    internal long CallStarted() => timeProvider.GetTimestamp();

    /// <summary>Reports an API call that began at <paramref name="started"/>; <paramref name="failure"/> is null when it succeeded.</summary>
    internal void CallEnded(ApiToken token, long started, ApiFailureKind? failure) =>
        CallCompleted?.Invoke(new ApiCallRecord(Get(token).Name ?? "", failure, timeProvider.GetElapsedTime(started)));

    /// <summary>Locks <paramref name="token"/> out for <paramref name="retryAfter"/> (or <see cref="DefaultLockout"/>).</summary>
    public void Block(ApiToken token, TimeSpan? retryAfter)
    {
        var until = timeProvider.GetUtcNow() + (retryAfter is { } delay && delay > TimeSpan.Zero ? delay : DefaultLockout);
        var entry = Get(token);
        lock (entry)
        {
            if (entry.BlockedUntil is null || entry.BlockedUntil < until)
            {
                entry.BlockedUntil = until;
            }
        }
    }

    /// <summary>Requests sent with <paramref name="token"/> since start (each retry attempt counts).</summary>
    public long RequestsSent(ApiToken token) => _entries.TryGetValue(token, out var entry) ? Interlocked.Read(ref entry.Requests) : 0;

    /// <summary>Until when <paramref name="token"/> is locked out, or null.</summary>
    public DateTimeOffset? BlockedUntil(ApiToken token) =>
        _entries.TryGetValue(token, out var entry) && entry.BlockedUntil > timeProvider.GetUtcNow() ? entry.BlockedUntil : null;

    private Entry Get(ApiToken token) => _entries.GetOrAdd(token, static _ => new Entry());

    // Caller holds the entry's Recent lock. The queue holds at most one window of requests.
    private void Prune(Entry entry)
    {
        var since = timeProvider.GetUtcNow() - Window;
        while (entry.Recent.TryPeek(out var sent) && sent <= since)
        {
            entry.Recent.Dequeue();
        }
    }

    private sealed class Entry
    {
        public long Requests;

        public Queue<DateTimeOffset> Recent { get; } = new();

        public volatile string? Name;

        public DateTimeOffset? BlockedUntil { get; set; }
    }
}

/// <summary>One finished API call, as metrics see it.</summary>
/// <param name="Token">The token's name: the tunnels that use it (never its value); empty when unnamed.</param>
/// <param name="Failure">How it failed, or null when it succeeded.</param>
/// <param name="Duration">From the first attempt to the answer or the failure, retries included.</param>
public readonly record struct ApiCallRecord(string Token, ApiFailureKind? Failure, TimeSpan Duration);
