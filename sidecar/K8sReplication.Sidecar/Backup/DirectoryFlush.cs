using System.ComponentModel;
using System.Runtime.InteropServices;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// Makes a directory's entries durable (fsync on the directory). A file renamed or linked into a directory survives a
/// power loss only once the directory itself is flushed; .NET refuses to open a directory as a file, so this goes to
/// libc. Linux only: elsewhere it does nothing (the sidecar ships for Linux; tests on other systems only lose the
/// crash guarantee).
/// </summary>
internal static partial class DirectoryFlush
{
    // O_RDONLY | O_CLOEXEC: the same values on every Linux architecture (O_DIRECTORY is not, so it is left out; a
    // read-only open of a directory works without it).
    private const int OpenReadOnlyCloseOnExec = 0x80000;

    /// <summary>fsyncs <paramref name="directory"/>; throws <see cref="IOException"/> when it cannot.</summary>
    public static void Flush(string directory)
    {
        if (!OperatingSystem.IsLinux())
        {
            return;
        }

        var fd = Open(directory, OpenReadOnlyCloseOnExec);
        if (fd < 0)
        {
            throw Failure("open", directory);
        }

        try
        {
            if (Fsync(fd) != 0)
            {
                throw Failure("fsync", directory);
            }
        }
        finally
        {
            _ = Close(fd);
        }
    }

    /// <summary>
    /// Gives <paramref name="source"/>'s file the name <paramref name="target"/> too (link(2)), only if that name does
    /// not exist: atomic and exclusive, so of racing writers exactly one succeeds. True when linked, false when the
    /// name exists; null when this system or file system cannot link (the caller falls back).
    /// </summary>
    public static bool? LinkExclusive(string source, string target)
    {
        if (!OperatingSystem.IsLinux())
        {
            return null;
        }

        if (Link(source, target) == 0)
        {
            return true;
        }

        var errno = Marshal.GetLastPInvokeError();
        return errno switch
        {
            ExistsErrno => false,
            NotPermittedErrno or CrossDeviceErrno or NotSupportedErrno => null,
            _ => throw new IOException($"link of '{source}' to '{target}' failed: {new Win32Exception(errno).Message}", errno),
        };
    }

    private const int NotPermittedErrno = 1; // EPERM: the file system does not allow hard links
    private const int ExistsErrno = 17; // EEXIST
    private const int CrossDeviceErrno = 18; // EXDEV
    private const int NotSupportedErrno = 95; // EOPNOTSUPP

    private static IOException Failure(string call, string directory)
    {
        var errno = Marshal.GetLastPInvokeError();
        return new IOException($"{call} of directory '{directory}' failed: {new Win32Exception(errno).Message}", errno);
    }

    [DllImport("libc", EntryPoint = "open", SetLastError = true)]
    private static extern int Open([MarshalAs(UnmanagedType.LPUTF8Str)] string path, int flags);

    [DllImport("libc", EntryPoint = "link", SetLastError = true)]
    private static extern int Link([MarshalAs(UnmanagedType.LPUTF8Str)] string source, [MarshalAs(UnmanagedType.LPUTF8Str)] string target);

    [DllImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static extern int Fsync(int fd);

    [DllImport("libc", EntryPoint = "close")]
    private static extern int Close(int fd);
}
