using System.Text.Json;

namespace FailoverMonitor.Status;

/// <summary>
/// The daemon's state file: written atomically (a temporary file renamed over the old one, so a reader never sees
/// half a file), read by <c>failover-monitor status</c>.
/// </summary>
public sealed class StateFile(string path)
{
    /// <summary>The file's path.</summary>
    public string Path { get; } = path;

    /// <summary>Writes <paramref name="snapshot"/>; an I/O failure is returned, not thrown (status is a convenience, monitoring goes on).</summary>
    /// <returns>Null on success, else why it failed.</returns>
    public string? TryWrite(StatusSnapshot snapshot)
    {
        var temporary = Path + ".tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            using (var stream = File.Create(temporary))
            {
                JsonSerializer.Serialize(stream, snapshot, StatusJsonContext.Default.StatusSnapshot);
            }

            File.Move(temporary, Path, overwrite: true);
            return null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return e.Message;
        }
    }

    /// <summary>Reads the snapshot, or null when there is none.</summary>
    /// <exception cref="JsonException">The file is not a snapshot.</exception>
    public StatusSnapshot? Read()
    {
        try
        {
            using var stream = File.OpenRead(Path);
            return JsonSerializer.Deserialize(stream, StatusJsonContext.Default.StatusSnapshot);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException)
        {
            return null;
        }
    }

    /// <summary>Removes the file (on shutdown, so <c>status</c> says no daemon runs).</summary>
    public void Delete()
    {
        try
        {
            File.Delete(Path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // Nothing to do: a stale file is recognised by its dead PID.
        }
    }
}
