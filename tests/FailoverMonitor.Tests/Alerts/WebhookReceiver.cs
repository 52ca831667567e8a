using FailoverMonitor.Tests.TestSupport;
using WireMock.Logging;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;

namespace FailoverMonitor.Tests.Alerts;

/// <summary>One request a <see cref="WebhookReceiver"/> got.</summary>
public sealed record ReceivedRequest(string Method, string PathAndQuery, string? ContentType, string Body);

/// <summary>
/// A webhook endpoint: one path of the class's WireMock.Net server (<see cref="WireMockFixture"/>), answering POSTs
/// to its <see cref="Url"/> as a test stubs it, its requests read back from WireMock's log. The URL carries a fake
/// secret in the path and query, as Slack's and Discord's do; <paramref name="team"/> tells receivers apart.
/// </summary>
public sealed class WebhookReceiver(WireMockFixture stubs, string team)
{
    /// <summary>The secret parts of <see cref="Url"/>: none may appear in a log line.</summary>
    public const string PathSecret = "B0000SECRET/xoxb-Zq93PathSecret";

    /// <summary>The query secret of <see cref="Url"/>.</summary>
    public const string QuerySecret = "QuerySecret7781";

    private readonly string _path = $"/services/{team}/{PathSecret}";

    /// <summary>Host and port, e.g. <c>localhost:40123</c>: what log lines may name.</summary>
    public string Authority => new Uri(stubs.Server.Url!).Authority;

    /// <summary>The webhook URL, secrets included.</summary>
    public string Url => $"{stubs.Server.Url}{_path}?token={QuerySecret}";

    /// <summary>Requests answered so far, in arrival order (a hung request is not answered: see <see cref="WireMockFixture.HungRequests"/>).</summary>
    public IReadOnlyList<ReceivedRequest> Requests =>
        [.. stubs.Server.LogEntries.Where(e => e.RequestMessage.Path == _path).Select(Received)];

    /// <summary>An answer with <paramref name="status"/> and no body.</summary>
    public static IResponseBuilder Status(int status) => Response.Create().WithStatusCode(status);

    /// <summary>Answers every POST to <see cref="Url"/> (path and query secret matched) with <paramref name="answer"/>.</summary>
    public WebhookReceiver Answer(IResponseBuilder answer)
    {
        Post().RespondWith(answer);
        return this;
    }

    /// <summary>Answers the first POST with <paramref name="first"/>, every later one with <paramref name="then"/>.</summary>
    public WebhookReceiver Answer(IResponseBuilder first, IResponseBuilder then)
    {
        Post().InScenario(_path).WillSetStateTo("answered").RespondWith(first);
        Post().InScenario(_path).WhenStateIs("answered").RespondWith(then);
        return this;
    }

    private IRespondWithAProvider Post() =>
        stubs.Server.Given(Request.Create().UsingPost().WithPath(_path).WithParam("token", QuerySecret));

    private static ReceivedRequest Received(ILogEntry entry)
    {
        var request = entry.RequestMessage;
        var contentType = request.Headers?.FirstOrDefault(h => h.Key.Equals("Content-Type", StringComparison.OrdinalIgnoreCase)).Value?.FirstOrDefault();
        return new ReceivedRequest(request.Method, new Uri(request.Url).PathAndQuery, contentType, request.Body ?? "");
    }
}
