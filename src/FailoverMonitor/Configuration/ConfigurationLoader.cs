using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Reads, checks and completes <c>tunnels.json</c>: unknown keys, wrong value types, field rules and token files
/// are all checked, and every problem found is reported together.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>Environment variable that names the configuration file when <c>--config</c> is not given.</summary>
    public const string PathVariable = "FAILOVER_MONITOR_CONFIG";

    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
    };

    /// <summary>Loads and validates the file at <paramref name="path"/>; tokens are read from token files.</summary>
    /// <returns>Options that passed every rule, each tunnel's <see cref="TunnelOptions.ResolvedToken"/> set.</returns>
    /// <exception cref="ConfigurationException">The file is unreadable, not JSON, or breaks any rule.</exception>
    public static MonitorOptions Load(string path)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new ConfigurationException(path, [$"$: cannot read the file: {e.Message}"]);
        }

        var problems = new List<string>();
        try
        {
            using var document = JsonDocument.Parse(text, DocumentOptions);
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ConfigurationException(path, ["$: must be a JSON object"]);
            }

            FindUnknownKeys(document.RootElement, ConfigurationJsonContext.Default.MonitorOptions, "$", problems);
        }
        catch (JsonException e)
        {
            throw new ConfigurationException(path, [$"$: not valid JSON: {e.Message}"]);
        }

        MonitorOptions? options = null;
        try
        {
            options = JsonSerializer.Deserialize(text, ConfigurationJsonContext.Default.MonitorOptions);
        }
        catch (JsonException e)
        {
            problems.Add($"{e.Path ?? "$"}: {DescribeTypeError(e)}");
        }

        if (options is not null)
        {
            problems.AddRange(MonitorOptionsValidator.FindProblems(options));
            ResolveTokens(options, path, problems);
            if (problems.Count == 0)
            {
                ApiBudget.Check(options, problems, options.Warnings);
                if (Metrics.MetricsEndpoint.TryParseAddress(options.MetricsListen, out var metrics) && !System.Net.IPAddress.IsLoopback(metrics.Address))
                {
                    options.Warnings.Add($"metrics_listen {options.MetricsListen} serves /metrics without authentication to every host that can reach it; a loopback address (127.0.0.1:{metrics.Port}) is recommended");
                }
            }
        }

        if (problems.Count > 0 || options is null)
        {
            throw new ConfigurationException(path, problems);
        }

        return options;
    }

    /// <summary>The path to load: <c>--config</c>, else <see cref="PathVariable"/>, else the default.</summary>
    public static string ResolvePath(string? commandLinePath) =>
        commandLinePath
        ?? (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : MonitorOptions.DefaultConfigPath);

    // A typo in an optional key would otherwise silently leave a feature at its default.
    private static void FindUnknownKeys(JsonElement element, JsonTypeInfo typeInfo, string path, List<string> problems)
    {
        var known = typeInfo.Properties
            .Where(p => p.AttributeProvider?.IsDefined(typeof(System.Text.Json.Serialization.JsonIgnoreAttribute), false) != true)
            .ToDictionary(p => p.Name, StringComparer.Ordinal);
        foreach (var property in element.EnumerateObject())
        {
            var propertyPath = $"{path}.{property.Name}";
            if (!known.TryGetValue(property.Name, out var info))
            {
                problems.Add($"{propertyPath}: unknown key (known keys: {string.Join(", ", known.Keys)})");
                continue;
            }

            var valueInfo = typeInfo.Options.GetTypeInfo(info.PropertyType);
            if (valueInfo.Kind == JsonTypeInfoKind.Enumerable && valueInfo.ElementType is { } elementType
                && property.Value.ValueKind == JsonValueKind.Array
                && typeInfo.Options.GetTypeInfo(elementType) is { Kind: JsonTypeInfoKind.Object } elementInfo)
            {
                var index = 0;
                foreach (var item in property.Value.EnumerateArray())
                {
                    if (item.ValueKind == JsonValueKind.Object)
                    {
                        FindUnknownKeys(item, elementInfo, $"{propertyPath}[{index}]", problems);
                    }

                    index++;
                }
            }
        }
    }

    private static string DescribeTypeError(JsonException e)
    {
        var message = e.Message;
        var cut = message.IndexOf(" Path:", StringComparison.Ordinal);
        message = cut > 0 ? message[..cut] : message;
        return "wrong type of value: " + message
            .Replace("System.Double", "a number", StringComparison.Ordinal)
            .Replace("System.Int32", "a whole number", StringComparison.Ordinal)
            .Replace("System.String", "a string", StringComparison.Ordinal)
            .Replace("System.Collections.Generic.List`1[System.String]", "an array of strings", StringComparison.Ordinal)
            .Replace("System.Collections.Generic.List`1[FailoverMonitor.Configuration.TunnelOptions]", "an array of tunnels", StringComparison.Ordinal)
            .Replace("FailoverMonitor.Configuration.TunnelOptions", "a tunnel object", StringComparison.Ordinal)
            .Replace("System.Collections.Generic.List`1[FailoverMonitor.Configuration.AlertOptions]", "an array of alerts", StringComparison.Ordinal)
            .Replace("FailoverMonitor.Configuration.AlertOptions", "an alert object", StringComparison.Ordinal);
    }

    private static void ResolveTokens(MonitorOptions options, string configPath, List<string> problems)
    {
        var configDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? "/";
        var hasInlineToken = options.Tunnels.Any(t => !string.IsNullOrWhiteSpace(t?.Token));
        var hasWebhooks = options.Alerts is { Count: > 0 };
        var secret = hasInlineToken ? "an API token" : hasWebhooks ? "webhook URLs (alerts)" : null;
        CheckSecretFile(configPath, "$", secret, options.Warnings, problems);
        for (var i = 0; i < options.Tunnels.Count; i++)
        {
            var tunnel = options.Tunnels[i];
            if (tunnel is null)
            {
                continue;
            }

            if (!string.IsNullOrWhiteSpace(tunnel.Token))
            {
                tunnel.ResolvedToken = new ApiToken(tunnel.Token.Trim());
            }
            else if (!string.IsNullOrWhiteSpace(tunnel.TokenFile))
            {
                var file = Path.Combine(configDirectory, tunnel.TokenFile);
                if (CheckSecretFile(file, $"$.tunnels[{i}].token_file", "an API token", options.Warnings, problems))
                {
                    tunnel.ResolvedToken = ReadToken(file, $"$.tunnels[{i}].token_file", problems);
                }
            }
            else if (!string.IsNullOrWhiteSpace(tunnel.TokenCredential))
            {
                // systemd makes the credentials directory private to the service (systemd.exec(5), "Credentials").
                var directory = Environment.GetEnvironmentVariable("CREDENTIALS_DIRECTORY");
                if (string.IsNullOrEmpty(directory))
                {
                    problems.Add($"$.tunnels[{i}].token_credential: $CREDENTIALS_DIRECTORY is not set (give the unit LoadCredential={tunnel.TokenCredential}:/path/to/token)");
                }
                else
                {
                    tunnel.ResolvedToken = ReadToken(Path.Combine(directory, tunnel.TokenCredential), $"$.tunnels[{i}].token_credential", problems);
                }
            }
        }
    }

    private static ApiToken? ReadToken(string file, string field, List<string> problems)
    {
        try
        {
            var token = File.ReadAllText(file).Trim();
            if (token.Length > 0)
            {
                return new ApiToken(token);
            }

            problems.Add($"{field}: {file} is empty");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            problems.Add($"{field}: cannot read {file}: {e.Message}");
        }

        return null;
    }

    /// <summary>
    /// A file anyone can write could swap the token or the units we start: refused. One others can read leaks the
    /// token (or the webhook URLs, <paramref name="secret"/> names what it holds): a warning. Returns false when refused.
    /// </summary>
    private static bool CheckSecretFile(string file, string field, string? secret, List<string> warnings, List<string> problems)
    {
        if (OperatingSystem.IsWindows() || !File.Exists(file))
        {
            return true;
        }

        var mode = File.GetUnixFileMode(file);
        var octal = Convert.ToString((int)mode & 0x1FF, 8).PadLeft(3, '0');
        if (mode.HasFlag(UnixFileMode.OtherWrite))
        {
            problems.Add($"{field}: {file} is writable by others (mode {octal}); refusing it: chmod 600 {file}");
            return false;
        }

        if (secret is not null && (mode & (UnixFileMode.GroupRead | UnixFileMode.OtherRead)) != 0)
        {
            warnings.Add($"{file} holds {secret} and is readable by group or others (mode {octal}): chmod 600 {file}");
        }

        return true;
    }
}
