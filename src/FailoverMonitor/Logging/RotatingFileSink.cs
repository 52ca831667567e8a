using System.Text;
using Serilog.Core;
using Serilog.Events;
using Serilog.Formatting;

namespace FailoverMonitor.Logging;

/// <summary>
/// Writes log lines to one fixed path and rotates by size the way <c>logrotate</c> does (<c>log</c> → <c>log.1</c>
/// → … → <c>log.N</c>), so <c>tail -F /var/log/failover_monitor.log</c> keeps following across a rotation.
/// Serilog.Sinks.File's own size rolling writes on under new names (<c>log_001</c>), which <c>tail -F</c> on
/// the original name would not follow; formatting and levels stay Serilog's.
/// It also copes with an outside <c>logrotate</c>: a file truncated under it (copytruncate) is written from its
/// new end rather than past it, and <see cref="Reopen"/> (SIGHUP) picks up a file renamed away (create).
/// A file that cannot be written (a full disk, a removed or read-only directory, <c>/dev/full</c>) never stops the
/// daemon: the line is dropped from the file (journald still has it), one line says so on stderr (journald), one
/// more when the file takes lines again. The stream is unbuffered, so no failed bytes linger to be flushed (and to
/// throw) at reopen or shutdown.
/// </summary>
public sealed class RotatingFileSink : ILogEventSink, IDisposable
{
    private readonly string _path;
    private readonly ITextFormatter _formatter;
    private readonly long _maxBytes;
    private readonly int _retainedFiles;
    private readonly Action<string> _report;
    private readonly object _lock = new();
    private FileStream? _stream;
    private bool _failing;

    /// <summary>Creates the sink; the file is opened at the first event.</summary>
    /// <param name="path">The log file.</param>
    /// <param name="formatter">Renders one event as one line.</param>
    /// <param name="maxBytes">Size at which the file is rotated; 0 never rotates.</param>
    /// <param name="retainedFiles">Rotated files kept (<c>.1</c> … <c>.N</c>); 0 keeps none.</param>
    /// <param name="report">
    /// Where the line about the file failing (and working again) goes; default stderr, which journald keeps (with a
    /// syslog priority prefix under systemd).
    /// </param>
    public RotatingFileSink(string path, ITextFormatter formatter, long maxBytes, int retainedFiles, Action<string>? report = null)
    {
        _path = path;
        _formatter = formatter;
        _maxBytes = maxBytes;
        _retainedFiles = retainedFiles;
        _report = report ?? Console.Error.WriteLine;
    }

    /// <inheritdoc />
    public void Emit(LogEvent logEvent)
    {
        using var text = new StringWriter(System.Globalization.CultureInfo.InvariantCulture);
        _formatter.Format(logEvent, text);
        var bytes = Encoding.UTF8.GetBytes(text.ToString());
        lock (_lock)
        {
            try
            {
                Write(bytes);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or NotSupportedException)
            {
                Close();
                if (!_failing)
                {
                    _failing = true;
                    _report($"{Priority(4)}Log file {_path} cannot be written ({e.Message}); monitoring continues, logging to journald only until it can");
                }

                return;
            }

            if (_failing)
            {
                _failing = false;
                _report($"{Priority(6)}Log file {_path} is written again");
            }
        }
    }

    /// <summary>Closes the file so the next event opens the path afresh (after an outside rotation). Never throws.</summary>
    public void Reopen()
    {
        lock (_lock)
        {
            Close();
        }
    }

    /// <inheritdoc />
    public void Dispose() => Reopen();

    // journald reads a "<N>" prefix on a line as its syslog priority (sd-daemon(3)); elsewhere it would be noise.
    private static string Priority(int level) => LoggingSetup.IsJournalConsole ? $"<{level}>" : "";

    private void Write(byte[] bytes)
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
    }

    private void Close()
    {
        try
        {
            _stream?.Dispose();
        }
        catch (IOException)
        {
            // Unbuffered: nothing of ours is lost. The next event opens the path again.
        }

        _stream = null;
    }

    // bufferSize 0: every line goes straight to write(2), so a failure surfaces at once and nothing stays behind.
    private FileStream Open() =>
        new(_path, FileMode.Append, FileAccess.Write, FileShare.ReadWrite | FileShare.Delete, bufferSize: 0);

    private void Rotate()
    {
        Close();
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
