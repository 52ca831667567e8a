using System.Globalization;
using System.Runtime.InteropServices;

namespace FailoverMonitor.Runtime;

/// <summary>
/// Gives back the pages of the daemon's own executable that only start-up needed. Much of a NativeAOT executable is
/// resident after start (the host, the configuration, the first TLS handshakes, and the kernel mapping the neighbours
/// of every page touched), but a check cycle runs a fraction of that code and reads a fraction of the runtime's type
/// data. On Linux (5.4 or later) <see cref="Release"/> asks the kernel to reclaim the executable's mappings
/// (<c>MADV_PAGEOUT</c>) after marking them <c>MADV_RANDOM</c>, so that the pages a cycle still needs come back one
/// by one, without readahead; see madvise(2). Pages that are also mapped elsewhere stay; pages the process wrote
/// (its copy of a data page) stay too where there is no swap, and go to swap like any idle page where there is.
/// </summary>
/// <remarks>
/// Our own code: neither the runtime nor a library releases an executable's pages. The price is one slower cycle
/// just after, while the pages it needs are read back from the file (a few megabytes, at most once per run).
/// </remarks>
public static class StartupPages
{
    private const int MadvRandom = 1;
    private const int MadvPageout = 21;

    /// <summary>Releases the executable's mappings; does nothing elsewhere than Linux, and never throws.</summary>
    public static void Release()
    {
        if (!OperatingSystem.IsLinux() || Environment.ProcessPath is not { } executable)
        {
            return;
        }

        string maps;
        try
        {
            maps = File.ReadAllText("/proc/self/maps");
        }
        catch (IOException)
        {
            return;
        }

        foreach (var (start, length) in FileMappings(maps, executable))
        {
            // An older kernel answers EINVAL for MADV_PAGEOUT: then the pages simply stay.
            _ = Madvise((nint)start, (nuint)length, MadvRandom);
            _ = Madvise((nint)start, (nuint)length, MadvPageout);
        }
    }

    /// <summary>
    /// The address ranges of <paramref name="path"/>'s mappings, from /proc/self/maps text
    /// (proc(5): <c>start-end perms offset dev inode path</c>, addresses in hexadecimal); start and length in bytes.
    /// </summary>
    public static IReadOnlyList<(ulong Start, ulong Length)> FileMappings(string maps, string path)
    {
        var ranges = new List<(ulong, ulong)>();
        foreach (var line in maps.Split('\n'))
        {
            var fields = line.Split(' ', 6, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length < 6 || fields[5].Trim() != path)
            {
                continue;
            }

            var bounds = fields[0].Split('-');
            if (bounds.Length == 2
                && ulong.TryParse(bounds[0], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var start)
                && ulong.TryParse(bounds[1], NumberStyles.AllowHexSpecifier, CultureInfo.InvariantCulture, out var end)
                && end > start)
            {
                ranges.Add((start, end - start));
            }
        }

        return ranges;
    }

    [DllImport("libc", EntryPoint = "madvise")]
    private static extern int Madvise(nint address, nuint length, int advice);
}
