using System.Text;
using System.Text.Json;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Reads, checks and completes <c>tunnels.json</c>: unknown keys, wrong value types, field rules and token files
/// are all checked, and every problem found is reported together.
/// </summary>
public static class ConfigurationLoader
{
    /// <summary>Environment variable that names the configuration file when <c>--config</c> is not given.</summary>
    public const string PathVariable = "FAILOVER_MONITOR_CONFIG";

    /// <summary>Largest configuration file read, bytes (4 MiB: ten thousand tunnels with inline tokens take about 2 MB).</summary>
    public const int MaxConfigBytes = 4 * 1024 * 1024;

    /// <summary>Largest token file or credential read, bytes (a Cloudflare token is 40 characters).</summary>
    public const int MaxTokenBytes = 4 * 1024;

    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>Loads and validates the file at <paramref name="path"/>; tokens are read from token files.</summary>
    /// <returns>Settings that passed every rule, every tunnel's token, and the warnings.</returns>
    /// <exception cref="ConfigurationException">
    /// The file is unreadable, not a regular file, over <see cref="MaxConfigBytes"/>, not JSON, or breaks any rule.
    /// No other exception leaves this method for anything in the file.
    /// </exception>
    public static LoadedConfiguration Load(string path)
    {
        if (string.IsNullOrEmpty(path))
        {
            throw new ConfigurationException(path, ["$: no configuration file named (--config or $" + PathVariable + " is empty)"]);
        }

        byte[] content;
        try
        {
            content = RegularFile.Read(path, MaxConfigBytes);
        }
        catch (IOException e)
        {
            throw new ConfigurationException(path, [$"$: cannot read {ConfigText.Safe(path)}: {e.Message}"]);
        }

        return Parse(path, content);
    }

    /// <summary>
    /// Validates <paramref name="content"/> as the content of the file at <paramref name="path"/> (its folder
    /// resolves relative token files). Widened for tests, which feed it thousands of texts without a file each.
    /// </summary>
    /// <exception cref="ConfigurationException">See <see cref="Load"/>.</exception>
    internal static LoadedConfiguration Parse(string path, ReadOnlySpan<byte> content)
    {
        var json = content.StartsWith("\uFEFF"u8) ? content[3..] : content;
        var (problems, bindable, leftOut) = ConfigurationShape.Check(json, ConfigurationJsonContext.Default.TunnelsFile);
        if (bindable is null)
        {
            throw new ConfigurationException(path, problems);
        }

        TunnelsFile? options;
        try
        {
            options = JsonSerializer.Deserialize(bindable, ConfigurationJsonContext.Default.TunnelsFile);
        }
        catch (JsonException e)
        {
            // Not expected after the shape check; said in our words, as the runtime's message is a resource key.
            throw new ConfigurationException(path, [$"{e.Path ?? "$"}: this value cannot be read"]);
        }

        if (options is null)
        {
            throw new ConfigurationException(path, ["$: must be a JSON object { … }, got null"]);
        }

        // A value left out (wrong type, null) is already a problem: "missing" or "out of range" for it would repeat it.
        var left = leftOut.ToHashSet(StringComparer.Ordinal);
        problems.AddRange(TunnelsFileValidator.FindProblems(options).Where(p => !IsAtOrUnder(p, left)));
        var warnings = new List<string>();
        var tokens = ResolveTokens(options, path, problems, warnings);
        if (problems.Count > 0)
        {
            throw new ConfigurationException(path, problems);
        }

        var loaded = new LoadedConfiguration(SettingsMapping.ToSettings(options), new TunnelTokens(tokens), warnings);
        ApiBudget.Check(loaded.Settings, loaded.Tokens, problems, warnings);
        if (loaded.Settings.Telemetry.MetricsListen is { } metrics && !System.Net.IPAddress.IsLoopback(metrics.Address))
        {
            warnings.Add($"metrics_listen {options.MetricsListen} serves /metrics without authentication to every host that can reach it; a loopback address (127.0.0.1:{metrics.Port}) is recommended");
        }

        if (problems.Count > 0)
        {
            throw new ConfigurationException(path, problems);
        }

        return loaded;
    }

    /// <summary>True when the field a problem names (<c>$.a.b[2].c: …</c>) is one of <paramref name="paths"/> or inside one.</summary>
    private static bool IsAtOrUnder(string problem, HashSet<string> paths)
    {
        var field = problem.AsSpan(0, Math.Max(0, problem.IndexOf(": ", StringComparison.Ordinal)));
        var lookup = paths.GetAlternateLookup<ReadOnlySpan<char>>();
        for (; field.Length > 0; field = field[..Math.Max(0, field.LastIndexOfAny('.', '['))])
        {
            if (lookup.Contains(field))
            {
                return true;
            }
        }

        return false;
    }

    /// <summary>The path to load: <c>--config</c>, else <see cref="PathVariable"/>, else the default.</summary>
    public static string ResolvePath(string? commandLinePath) =>
        commandLinePath
        ?? (Environment.GetEnvironmentVariable(PathVariable) is { Length: > 0 } fromEnvironment
            ? fromEnvironment
            : MonitorSettings.DefaultConfigPath);

    /// <summary>Every tunnel's token by tunnel id; a tunnel whose token cannot be used has a problem instead.</summary>
    private static Dictionary<string, ApiToken> ResolveTokens(TunnelsFile options, string configPath, List<string> problems, List<string> warnings)
    {
        var tokens = new Dictionary<string, ApiToken>(StringComparer.OrdinalIgnoreCase);
        var configDirectory = Path.GetDirectoryName(Path.GetFullPath(configPath)) ?? "/";
        var hasInlineToken = options.Tunnels.Any(t => !string.IsNullOrWhiteSpace(t?.Token));
        var hasWebhooks = options.Alerts is { Count: > 0 };
        var secret = hasInlineToken ? "an API token" : hasWebhooks ? "webhook URLs (alerts)" : null;
        CheckSecretFile(configPath, "$", secret, warnings, problems);
        for (var i = 0; i < options.Tunnels.Count; i++)
        {
            var tunnel = options.Tunnels[i];
            if (tunnel is null)
            {
                continue;
            }

            ApiToken? resolved = null;
            if (!string.IsNullOrWhiteSpace(tunnel.Token))
            {
                resolved = Accept(tunnel.Token, $"$.tunnels[{i}].token", "the inline token", problems);
            }
            else if (!string.IsNullOrWhiteSpace(tunnel.TokenFile))
            {
                var file = Path.Combine(configDirectory, tunnel.TokenFile);
                // Read first: only a regular file's mode means anything (/dev/zero is mode 666).
                var token = ReadToken(file, $"$.tunnels[{i}].token_file", problems);
                if (token is not null && CheckSecretFile(file, $"$.tunnels[{i}].token_file", "an API token", warnings, problems))
                {
                    resolved = token;
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
                    resolved = ReadToken(Path.Combine(directory, tunnel.TokenCredential), $"$.tunnels[{i}].token_credential", problems);
                }
            }

            if (resolved is not null && tunnel.TunnelId is not null)
            {
                tokens[tunnel.TunnelId] = resolved;
            }
        }

        return tokens;
    }

    private static ApiToken? ReadToken(string file, string field, List<string> problems)
    {
        string text;
        try
        {
            text = StrictUtf8.GetString(RegularFile.Read(file, MaxTokenBytes));
        }
        catch (IOException e)
        {
            problems.Add($"{field}: cannot read {ConfigText.Safe(file)}: {e.Message}");
            return null;
        }
        catch (DecoderFallbackException)
        {
            problems.Add($"{field}: the token in {ConfigText.Safe(file)} is not text (not valid UTF-8)");
            return null;
        }

        // Editors end a file with one newline (and Notepad may start it with a byte order mark): neither is the token's.
        text = text.TrimStart('\uFEFF');
        text = text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
        return Accept(text, field, $"the token in {ConfigText.Safe(file)}", problems);
    }

    private static ApiToken? Accept(string token, string field, string source, List<string> problems)
    {
        if (ApiToken.FindProblem(token) is { } problem)
        {
            problems.Add($"{field}: {source} {problem}");
            return null;
        }

        return new ApiToken(token);
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

        UnixFileMode mode;
        try
        {
            mode = File.GetUnixFileMode(file);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // File.Exists is true for a dangling link; reading the file says what is wrong with it.
            return true;
        }

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
