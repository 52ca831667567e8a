using System.Globalization;

namespace FailoverMonitor.Status;

/// <summary>
/// Tells a process apart from a later one that reuses its pid: Linux's start time of a process, in clock ticks
/// since boot (field 22 of <c>/proc/PID/stat</c>, proc(5)), never changes for the process and differs for the next
/// one with the same pid.
/// </summary>
public static class ProcessIdentity
{
    /// <summary>The start time of process <paramref name="pid"/> in clock ticks since boot; null where there is no <c>/proc</c> or no such process.</summary>
    public static long? StartTicks(int pid)
    {
        if (pid <= 0)
        {
            return null;
        }

        try
        {
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            // The command name (field 2) sits in parentheses and may hold spaces or ')': count from the last ')'.
            var fields = stat[(stat.LastIndexOf(')') + 1)..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
            return fields.Length > 19 && long.TryParse(fields[19], NumberStyles.None, CultureInfo.InvariantCulture, out var ticks) ? ticks : null;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }
}
