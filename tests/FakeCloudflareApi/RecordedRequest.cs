namespace FakeCloudflareApi;

/// <summary>One API request the fake received (admin <c>/_fake/</c> calls are not recorded).</summary>
/// <param name="At">Arrival time, from <see cref="FakeCloudflareOptions.TimeProvider"/>.</param>
/// <param name="Method">HTTP method.</param>
/// <param name="Path">Full path, e.g. <c>/client/v4/accounts/a/cfd_tunnel/t</c>.</param>
/// <param name="Query">Query string including the leading <c>?</c>, or empty.</param>
/// <param name="Token">Bearer token sent, or null. Test-only data: never written to a console log.</param>
/// <param name="StatusCode">HTTP status sent; 0 when no response was sent (a hang, or the client gave up first).</param>
public sealed record RecordedRequest(DateTimeOffset At, string Method, string Path, string Query, string? Token, int StatusCode);
