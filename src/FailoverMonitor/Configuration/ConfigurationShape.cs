using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Checks the text of <c>tunnels.json</c> before it is bound: UTF-8, JSON syntax, the type of every value, null
/// where a value is required, duplicate and unknown keys. It reads the source-generated metadata of
/// <see cref="TunnelsFile"/> (no reflection), reports every problem together, each with its JSON path and
/// 1-based line, in our own words: this build's runtime messages are resource keys (UseSystemResourceKeys).
/// It also copies the text without the values that cannot bind, so the field rules can still check the rest and
/// every problem of the file is reported at once.
/// </summary>
internal sealed class ConfigurationShape
{
    /// <summary>Deepest nesting read; the file itself needs four levels.</summary>
    public const int MaxDepth = 64;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        CommentHandling = JsonCommentHandling.Skip,
        AllowTrailingCommas = true,
        MaxDepth = MaxDepth,
    };

    private readonly List<string> _problems = [];
    private readonly List<string> _leftOut = [];
    private readonly ArrayBufferWriter<byte> _copy = new();
    private readonly Utf8JsonWriter _writer;
    private readonly List<int> _newlines = [];
    private readonly Dictionary<JsonTypeInfo, Dictionary<string, JsonPropertyInfo>> _keys = [];

    private ConfigurationShape(ReadOnlySpan<byte> json)
    {
        _writer = new Utf8JsonWriter(_copy, new JsonWriterOptions { SkipValidation = true });
        for (var i = 0; i < json.Length; i++)
        {
            if (json[i] == (byte)'\n')
            {
                _newlines.Add(i);
            }
        }
    }

    /// <summary>Every problem of <paramref name="json"/> (UTF-8, no byte order mark) as <c>"$.path: what (line N)"</c>.</summary>
    /// <param name="json">The file's content.</param>
    /// <param name="root">Metadata of the type the file binds to.</param>
    /// <returns>
    /// The problems; the file's JSON without the values that cannot bind (wrong type, null where a value is required;
    /// a bad array entry of objects becomes <c>{}</c>, so later entries keep their index), or null when the text is no
    /// JSON object at all; and the paths of the values left out, whose rule checks would only repeat the problem.
    /// </returns>
    public static (List<string> Problems, byte[]? Bindable, IReadOnlyList<string> LeftOut) Check(ReadOnlySpan<byte> json, JsonTypeInfo root)
    {
        var shape = new ConfigurationShape(json);
        if (!System.Text.Unicode.Utf8.IsValid(json))
        {
            var bad = FirstInvalidUtf8(json);
            return ([$"$: not valid UTF-8 at line {shape.LineOf(bad)} (byte {bad + 1}); save the file as UTF-8"], null, []);
        }

        if (json.Trim(" \t\r\n"u8).IsEmpty)
        {
            return (["$: the file is empty; it must hold a JSON object { … }"], null, []);
        }

        var reader = new Utf8JsonReader(json, ReaderOptions);
        try
        {
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                return ([$"$: must be a JSON object {{ … }}, got {Got(ref reader)} (line {shape.LineOf(reader.TokenStartIndex)})"], null, []);
            }

            shape.CheckObject(ref reader, root, "$");
            while (reader.Read())
            {
                // Only comments may follow the object; Read throws on anything else.
            }
        }
        catch (JsonException e)
        {
            return ([shape.SyntaxError(json, e, reader.TokenType, reader.CurrentDepth)], null, []);
        }

        shape._writer.Flush();
        return (shape._problems, shape._copy.WrittenSpan.ToArray(), shape._leftOut);
    }

    private void CheckObject(ref Utf8JsonReader reader, JsonTypeInfo info, string path)
    {
        var known = KnownKeys(info);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        _writer.WriteStartObject();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var line = LineOf(reader.TokenStartIndex);
            var name = ReadString(ref reader);
            var at = name is null ? $"{path}[?]" : PathOf(path, name);
            if (name is null)
            {
                Add(at, line, "the key holds an invalid \\u escape (half of a surrogate pair)");
            }
            else if (!seen.TryAdd(name, line))
            {
                Add(at, line, $"the key is given twice (first on line {seen[name]}), and the last one would silently win: remove one");
            }

            reader.Read();
            if (name is null || !known.TryGetValue(name, out var property))
            {
                if (name is not null)
                {
                    Add(at, line, $"unknown key (known keys: {string.Join(", ", known.Keys)})");
                }

                reader.Skip();
                continue;
            }

            CheckValue(ref reader, property.PropertyType, property.IsSetNullable, at, info.Options, name);
        }

        _writer.WriteEndObject();
    }

    /// <summary>Checks the value under the reader and copies it (after <paramref name="name"/>, for a property) when it can bind; false when it was left out.</summary>
    private bool CheckValue(ref Utf8JsonReader reader, Type type, bool nullable, string at, JsonSerializerOptions options, string? name)
    {
        var line = LineOf(reader.TokenStartIndex);
        var token = reader.TokenType;
        string? problem = null;
        if (token == JsonTokenType.Null)
        {
            problem = nullable ? null : $"expected {Expected(type, options)}, got null (leave the key out for its default)";
            if (problem is null)
            {
                WriteName(name);
                _writer.WriteNullValue();
            }
        }
        else if (type == typeof(string))
        {
            var text = token == JsonTokenType.String ? ReadString(ref reader) : null;
            problem = token != JsonTokenType.String ? Mismatch(ref reader, type, options)
                : text is null ? "the text holds an invalid \\u escape (half of a surrogate pair)" : null;
            if (text is not null)
            {
                WriteName(name);
                _writer.WriteStringValue(text);
            }
        }
        else if (type == typeof(double) || type == typeof(int))
        {
            problem = token != JsonTokenType.Number ? Mismatch(ref reader, type, options) : NumberProblem(ref reader, type);
            if (problem is null)
            {
                WriteName(name);
                _writer.WriteRawValue(reader.ValueSpan, skipInputValidation: true);
            }
        }
        else if (type == typeof(bool))
        {
            problem = token is JsonTokenType.True or JsonTokenType.False ? null : Mismatch(ref reader, type, options);
            if (problem is null)
            {
                WriteName(name);
                _writer.WriteBooleanValue(token == JsonTokenType.True);
            }
        }
        else
        {
            var info = options.GetTypeInfo(type);
            if (info.Kind == JsonTypeInfoKind.Object && token == JsonTokenType.StartObject)
            {
                WriteName(name);
                CheckObject(ref reader, info, at);
            }
            else if (info.Kind == JsonTypeInfoKind.Enumerable && info.ElementType is { } element && token == JsonTokenType.StartArray)
            {
                WriteName(name);
                _writer.WriteStartArray();
                var ofObjects = options.GetTypeInfo(element).Kind == JsonTypeInfoKind.Object;
                for (var index = 0; reader.Read() && reader.TokenType != JsonTokenType.EndArray; index++)
                {
                    if (!CheckValue(ref reader, element, nullable: false, $"{at}[{index}]", options, name: null) && ofObjects)
                    {
                        _writer.WriteStartObject();
                        _writer.WriteEndObject();
                    }
                }

                _writer.WriteEndArray();
            }
            else
            {
                problem = Mismatch(ref reader, type, options);
            }
        }

        if (problem is not null)
        {
            Add(at, line, problem);
            _leftOut.Add(at);
        }

        return problem is null;
    }

    private void WriteName(string? name)
    {
        if (name is not null)
        {
            _writer.WritePropertyName(name);
        }
    }

    private static string? NumberProblem(ref Utf8JsonReader reader, Type type)
    {
        if (type == typeof(int) ? reader.TryGetInt32(out _) : reader.TryGetDouble(out var value) && double.IsFinite(value))
        {
            return null;
        }

        var text = Encoding.UTF8.GetString(reader.ValueSpan);
        return type == typeof(double) || !text.AsSpan().ContainsAny(".eE")
            ? $"the number {ConfigText.Safe(text)} is too large"
            : $"expected a whole number, got {ConfigText.Safe(text)}";
    }

    private static string Mismatch(ref Utf8JsonReader reader, Type type, JsonSerializerOptions options)
    {
        var problem = $"expected {Expected(type, options)}, got {Got(ref reader)}";
        reader.Skip();
        return problem;
    }

    private static string Expected(Type type, JsonSerializerOptions options)
    {
        if (type == typeof(string))
        {
            return "a string";
        }

        if (type == typeof(double))
        {
            return "a number";
        }

        if (type == typeof(int))
        {
            return "a whole number";
        }

        if (type == typeof(bool))
        {
            return "true or false";
        }

        var info = options.GetTypeInfo(type);
        return info.Kind != JsonTypeInfoKind.Enumerable || info.ElementType is not { } element ? "an object { … }"
            : element == typeof(string) ? "an array of strings"
            : element == typeof(TunnelEntry) ? "an array of tunnels"
            : element == typeof(AlertEntry) ? "an array of alerts"
            : "an array of objects";
    }

    private static string Got(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.String => "a string",
        JsonTokenType.Number => "a number",
        JsonTokenType.True or JsonTokenType.False => reader.TokenType == JsonTokenType.True ? "true" : "false",
        JsonTokenType.Null => "null",
        JsonTokenType.StartArray => "an array",
        _ => "an object",
    };

    // Utf8JsonReader unescapes \uD800 alone into text that is not UTF-16 and throws; that is the file's fault.
    private static string? ReadString(ref Utf8JsonReader reader)
    {
        try
        {
            return reader.GetString();
        }
        catch (InvalidOperationException)
        {
            return null;
        }
    }

    private string SyntaxError(ReadOnlySpan<byte> json, JsonException e, JsonTokenType last, int depth)
    {
        var line = (int)(e.LineNumber ?? 0);
        var lineStart = line == 0 ? 0 : _newlines[Math.Min(line, _newlines.Count) - 1] + 1;
        var offset = (int)Math.Min(json.Length, lineStart + (e.BytePositionInLine ?? 0));
        var column = Encoding.UTF8.GetCharCount(json[lineStart..offset]) + 1;
        var rest = json[offset..].TrimStart(" \t\r\n"u8);
        var what = depth >= MaxDepth - 1 ? $"nested more than {MaxDepth} levels deep"
            : rest.IsEmpty ? "the file ends before the JSON does (a missing } or ], or a cut-off file)"
            : rest[0] < 0x20 ? "a control character; inside a string write it as an escape such as \\n"
            : last switch
            {
                JsonTokenType.None => "expected { at the start",
                JsonTokenType.PropertyName => "expected : and a value after the key (a \"string\", a number, true, false, null, { … } or [ … ])",
                JsonTokenType.StartObject => "expected a key in double quotes, or }",
                JsonTokenType.StartArray => "expected a value or ]",
                _ when depth == 0 => "unexpected text after the end of the JSON object",
                _ => "expected a comma, } or ] (a missing comma? a string without quotes?)",
            };
        return $"$: not valid JSON at line {line + 1}, column {column}: {what}";
    }

    private Dictionary<string, JsonPropertyInfo> KnownKeys(JsonTypeInfo info)
    {
        if (!_keys.TryGetValue(info, out var known))
        {
            // A key is a property the file can set; the file shape's computed properties (no setter) are not keys.
            // Read from the source-generated metadata, not from attributes through reflection (milliseconds at start).
            known = info.Properties.Where(p => p.Set is not null).ToDictionary(p => p.Name, StringComparer.Ordinal);
            _keys[info] = known;
        }

        return known;
    }

    private static string PathOf(string path, string name) =>
        name.Length is > 0 and <= 64 && name.All(c => char.IsAsciiLetterOrDigit(c) || c == '_') ? $"{path}.{name}" : $"{path}[{ConfigText.Quote(name)}]";

    private void Add(string at, int line, string problem) => _problems.Add($"{at}: {problem} (line {line})");

    private int LineOf(long offset)
    {
        var index = _newlines.BinarySearch((int)offset);
        return (index < 0 ? ~index : index) + 1;
    }

    private static int FirstInvalidUtf8(ReadOnlySpan<byte> json)
    {
        var offset = 0;
        while (offset < json.Length && Rune.DecodeFromUtf8(json[offset..], out _, out var consumed) == OperationStatus.Done)
        {
            offset += consumed;
        }

        return offset;
    }
}
