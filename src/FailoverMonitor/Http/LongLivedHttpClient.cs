namespace FailoverMonitor.Http;

/// <summary>
/// The daemon's HTTP clients: one per use, kept for the daemon's lifetime, each on its own
/// <see cref="SocketsHttpHandler"/> whose pooled connections are renewed every <see cref="ConnectionLifetime"/>, so a
/// changed DNS answer is picked up. Stands in for <c>IHttpClientFactory</c>: its one service here, handler rotation,
/// is what the connection lifetime already gives, and its generic services cost start-up time under NativeAOT (the
/// types are built at run time). A plain client has no logging handlers, so no log line holds a URL.
/// </summary>
public static class LongLivedHttpClient
{
    /// <summary>How long a pooled connection is reused before a new one is opened: 5 minutes.</summary>
    public static readonly TimeSpan ConnectionLifetime = TimeSpan.FromMinutes(5);

    /// <summary>A handler with <see cref="ConnectionLifetime"/>; redirects are followed only when <paramref name="followRedirects"/>.</summary>
    public static SocketsHttpHandler CreateHandler(bool followRedirects) =>
        new() { AllowAutoRedirect = followRedirects, PooledConnectionLifetime = ConnectionLifetime };

    /// <summary>A client on <see cref="CreateHandler"/> with <paramref name="timeout"/> per request (<see cref="Timeout.InfiniteTimeSpan"/> when a resilience pipeline times the attempts).</summary>
    public static HttpClient Create(TimeSpan timeout, bool followRedirects = true, Uri? baseAddress = null) =>
        new(CreateHandler(followRedirects)) { Timeout = timeout, BaseAddress = baseAddress };
}
