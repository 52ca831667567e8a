using System.Text.Json;
using FailoverMonitor.Configuration;
using FailoverMonitor.Text;

namespace FailoverMonitor.Status;

/// <summary>
/// The daemon's state file: written atomically (a temporary file renamed over the old one, so a reader never sees
/// half a file), read by <c>failover-monitor status</c>.
/// </summary>
public sealed class StateFile(string path)
{
    /// <summary>Largest state file read, in bytes (4 MiB; a snapshot of 1,000 tunnels is about 500 KB).</summary>
    public const int MaxBytes = 4 * 1024 * 1024;

    /// <summary>The file's path.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Writes <paramref name="snapshot"/>; an I/O failure is returned, not thrown (status is a convenience, monitoring
    /// goes on). The temporary file <c>PATH.tmp</c> is created exclusively, after a stale one (or a planted link:
    /// deleting a link removes the link, never its target) is removed, so no existing file is ever written through.
    /// </summary>
    /// <returns>Null on success, else why it failed.</returns>
    public string? TryWrite(StatusSnapshot snapshot)
    {
        var temporary = Path + ".tmp";
        try
        {
            Directory.CreateDirectory(System.IO.Path.GetDirectoryName(Path)!);
            File.Delete(temporary);
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
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

    /// <summary>
    /// Reads the snapshot, or null when there is none. Only a regular file of at most <see cref="MaxBytes"/> is
    /// opened, without blocking on a FIFO; nulls inside it read as empty values.
    /// </summary>
    /// <exception cref="InvalidDataException">The path is a directory, a special file (FIFO, device) or an empty file, is too large, or is not a snapshot; the message says which.</exception>
    public StatusSnapshot? Read()
    {
        byte[] bytes;
        try
        {
            bytes = RegularFile.Read(Path, MaxBytes);
        }
        catch (FileNotFoundException)
        {
            return null;
        }
        catch (IOException e)
        {
            throw new InvalidDataException(SafeText.Clean(e.Message), e);
        }

        if (bytes.Length == 0)
        {
            throw new InvalidDataException("it is empty");
        }

        try
        {
            return JsonSerializer.Deserialize(bytes, StatusJsonContext.Default.StatusSnapshot)?.Normalized()
                ?? throw new InvalidDataException("it holds null, not a snapshot");
        }
        catch (JsonException e)
        {
            throw new InvalidDataException(SafeText.Clean(e.Message), e);
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
