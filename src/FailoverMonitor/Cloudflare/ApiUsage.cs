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

    /// <summary>Counts one request sent with <paramref name="token"/>.</summary>
    public void CountRequest(ApiToken token) => Interlocked.Increment(ref Get(token).Requests);

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

    private sealed class Entry
    {
        public long Requests;

        public DateTimeOffset? BlockedUntil { get; set; }
    }
}
