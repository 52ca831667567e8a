using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace FailoverMonitor.Configuration;

/// <summary>
/// Reads a small file that must be a regular file: the configuration and token files, and the daemon's state file. A FIFO would block the
/// open (and with it start-up or a reload) until some writer appears, and a device such as <c>/dev/zero</c> never
/// ends, so anything but a regular file is refused, and so is one over the size cap.
/// </summary>
/// <remarks>
/// .NET has no public way to open without blocking or to learn a file's type (FIFO, device) from a path or handle,
/// so on Linux this calls <c>open(2)</c> with <c>O_NONBLOCK</c> and <c>statx(2)</c> on the opened descriptor
/// (no check-then-open race). Elsewhere (Windows) it checks <see cref="FileInfo"/> before reading.
/// </remarks>
internal static class RegularFile
{
    /// <summary>Reads the whole of <paramref name="path"/> (symbolic links followed).</summary>
    /// <param name="path">The file.</param>
    /// <param name="maxBytes">Largest size accepted, bytes.</param>
    /// <returns>The file's bytes.</returns>
    /// <exception cref="FileNotFoundException">Nothing is there (or a symbolic link points nowhere); a subclass of <see cref="IOException"/>, so a caller that treats "missing" like any other failure need not tell them apart.</exception>
    /// <exception cref="IOException">It cannot be read, is not a regular file or is too large; the message says which, in words, without the path.</exception>
    public static byte[] Read(string path, int maxBytes)
    {
        if (path.Length == 0 || path.Contains('\0', StringComparison.Ordinal))
        {
            throw new IOException(path.Length == 0 ? "no path given" : "the path holds a NUL character");
        }

        using var handle = OperatingSystem.IsLinux() ? OpenLinux(path, maxBytes) : OpenOther(path, maxBytes);
        using var stream = new FileStream(handle, FileAccess.Read, bufferSize: 0);
        var buffer = new byte[Math.Min(maxBytes + 1, 64 * 1024)];
        using var content = new MemoryStream();
        int read;
        while ((read = stream.Read(buffer, 0, buffer.Length)) > 0)
        {
            content.Write(buffer, 0, read);
            if (content.Length > maxBytes)
            {
                throw TooLarge(maxBytes);
            }
        }

        return content.ToArray();
    }

    /// <summary>A size for messages: <c>4 KiB</c>, <c>1 MiB</c>.</summary>
    public static string Describe(int bytes) => bytes >= 1024 * 1024 ? $"{bytes / (1024 * 1024)} MiB" : $"{bytes / 1024} KiB";

    private static IOException TooLarge(int maxBytes) => new($"larger than {Describe(maxBytes)}, more than this file can hold");

    private static SafeFileHandle OpenLinux(string path, int maxBytes)
    {
        var fd = Native.open(NulTerminated(path), Native.O_RDONLY | Native.O_NONBLOCK | Native.O_CLOEXEC | Native.O_NOCTTY);
        if (fd < 0)
        {
            throw OpenFailed(path, Marshal.GetLastPInvokeError());
        }

        var handle = new SafeFileHandle(fd, ownsHandle: true);
        try
        {
            var stat = new byte[Native.StatxSize];
            if (Native.statx(fd, [0], Native.AT_EMPTY_PATH, Native.STATX_TYPE | Native.STATX_SIZE, stat) != 0)
            {
                throw new IOException(Marshal.GetPInvokeErrorMessage(Marshal.GetLastPInvokeError()));
            }

            var type = BitConverter.ToUInt16(stat, Native.StatxModeOffset) & Native.S_IFMT;
            if (type != Native.S_IFREG)
            {
                throw new IOException($"not a regular file ({TypeName(type)}); give a plain file");
            }

            if (BitConverter.ToUInt64(stat, Native.StatxSizeOffset) > (ulong)maxBytes)
            {
                throw TooLarge(maxBytes);
            }

            return handle;
        }
        catch
        {
            handle.Dispose();
            throw;
        }
    }

    private static SafeFileHandle OpenOther(string path, int maxBytes)
    {
        if (Directory.Exists(path))
        {
            throw new IOException("not a regular file (a directory); give a plain file");
        }

        if (new FileInfo(path) is { Exists: true } info && info.Length > maxBytes)
        {
            throw TooLarge(maxBytes);
        }

        try
        {
            return File.OpenHandle(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite);
        }
        catch (FileNotFoundException)
        {
            throw new FileNotFoundException("no such file");
        }
        catch (DirectoryNotFoundException)
        {
            throw new FileNotFoundException("no such file or folder");
        }
        catch (UnauthorizedAccessException)
        {
            throw new IOException("permission denied");
        }
    }

    private static IOException OpenFailed(string path, int errno) => errno switch
    {
        Native.ENOENT when LinkTarget(path) is { } target => new FileNotFoundException($"a symbolic link to {target}, which does not exist"),
        Native.ENOENT => new FileNotFoundException("no such file"),
        Native.ELOOP => new IOException("a loop of symbolic links"),
        Native.EACCES => new IOException("permission denied"),
        _ => new IOException(Marshal.GetPInvokeErrorMessage(errno)),
    };

    private static string? LinkTarget(string path)
    {
        try
        {
            return new FileInfo(path).LinkTarget;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return null;
        }
    }

    private static string TypeName(int type) => type switch
    {
        Native.S_IFDIR => "a directory",
        Native.S_IFIFO => "a FIFO",
        Native.S_IFCHR => "a character device",
        Native.S_IFBLK => "a block device",
        Native.S_IFSOCK => "a socket",
        _ => "not a plain file",
    };

    private static byte[] NulTerminated(string path)
    {
        var bytes = new byte[System.Text.Encoding.UTF8.GetByteCount(path) + 1];
        System.Text.Encoding.UTF8.GetBytes(path, bytes);
        return bytes;
    }

    // Linux values, the same on x86-64 and arm64 (asm-generic); struct statx has one layout on every architecture.
    private static class Native
    {
        public const int O_RDONLY = 0;
        public const int O_NOCTTY = 0x100;
        public const int O_NONBLOCK = 0x800;
        public const int O_CLOEXEC = 0x80000;
        public const int AT_EMPTY_PATH = 0x1000;
        public const uint STATX_TYPE = 0x1;
        public const uint STATX_SIZE = 0x200;
        public const int StatxSize = 256;
        public const int StatxModeOffset = 28;
        public const int StatxSizeOffset = 40;
        public const int S_IFMT = 0xF000;
        public const int S_IFSOCK = 0xC000;
        public const int S_IFREG = 0x8000;
        public const int S_IFBLK = 0x6000;
        public const int S_IFDIR = 0x4000;
        public const int S_IFCHR = 0x2000;
        public const int S_IFIFO = 0x1000;
        public const int ENOENT = 2;
        public const int EACCES = 13;
        public const int ELOOP = 40;

        [DllImport("libc", SetLastError = true)]
        public static extern int open(byte[] path, int flags);

        [DllImport("libc", SetLastError = true)]
        public static extern int statx(int dirfd, byte[] path, int flags, uint mask, byte[] buffer);
    }
}
