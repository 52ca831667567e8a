using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace FailoverMonitor.Logging;

/// <summary>
/// Writes log lines to one fixed path and rotates by size the way <c>logrotate</c> does (<c>log</c> → <c>log.1</c>
/// → … → <c>log.N</c>), so <c>tail -F /var/log/failover_monitor.log</c> keeps following across a rotation.
/// Serilog.Sinks.File's own size rolling writes on under new names (<c>log_001</c>), which <c>tail -F</c> on
/// the original name would not follow; formatting, levels and error reporting stay Serilog's.
/// It also copes with an outside <c>logrotate</c>: a file truncated under it (copytruncate) is written from its
/// new end rather than past it, and <see cref="Reopen"/> (SIGHUP) picks up a file renamed away (create).
/// </summary>
public sealed class RotatingFileSink : ILogEventSink, IDisposable
{
    private readonly string _path;
    private readonly ITextFormatter _formatter;
    private readonly long _maxBytes;
    private readonly int _retainedFiles;
    private readonly object _lock = new();
    private FileStream? _stream;

    /// <summary>Creates the sink; the file is opened at the first event.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="formatter">Renders one event as one line.</param>
    /// <param name="maxBytes">Size at which the file is rotated; 0 never rotates.</param>
    /// <param name="retainedFiles">Rotated files kept (<c>.1</c> … <c>.N</c>); 0 keeps none.</param>
    public RotatingFileSink(string path, ITextFormatter formatter, long maxBytes, int retainedFiles)
    {
        _path = path;
        _formatter = formatter;
        _maxBytes = maxBytes;
        _retainedFiles = retainedFiles;
    }

    /// <inheritdoc />
    /// <exception cref="IOException">The file cannot be written (Serilog reports it through SelfLog).</exception>
    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _formatter.Format(logEvent, text);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_lock)
        {
            var stream = _stream ??= Open();

            // Truncated by someone else (logrotate copytruncate): continue at the new end, not past it.
            if (stream.Length < stream.Position)
            {
                stream.Seek(0, SeekOrigin.End);
            }

            if (_maxBytes > 0 && stream.Length > 0 && stream.Length + bytes.Length > _maxBytes)
            {
                Rotate();
                stream = _stream = Open();
            }

            stream.Write(bytes);
            stream.Flush();
        }
    }

    /// <summary>Closes the file so the next event opens the path afresh (after an outside rotation).</summary>
    public void Reopen()
    {
        lock (_lock)
        {
            _stream?.Dispose();
            _stream = null;
        }
    }

    /// <inheritdoc />
    public void Dispose() => Reopen();

    private FileStream Open()
    {
        var stream = new FileStream(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete);
        return stream;
    }

    private void Rotate()
    {
        _stream?.Dispose();
        _stream = null;
        if (_retainedFiles == 0)
        {
            File.Delete(_path);
            return;
        }

        File.Delete($"{_path}.{_retainedFiles}");
        for (var i = _retainedFiles - 1; i >= 1; i--)
        {
            if (File.Exists($"{_path}.{i}"))
            {
                File.Move($"{_path}.{i}", $"{_path}.{i + 1}");
            }
        }

        File.Move(_path, $"{_path}.1");
    }
}
