using System.Globalization;

namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Resident memory of a Linux process from <c>/proc/&lt;pid&gt;/status</c>: <see cref="PeakBytes"/> is <c>VmHWM</c> (the
/// high-water mark since the process started, so a spike between two reads is not missed), <see cref="CurrentBytes"/> is
/// <c>VmRSS</c>.
/// </summary>
public readonly record struct ProcessMemory(long PeakBytes, long CurrentBytes)
{
    public static ProcessMemory Read(int pid)
    {
        long? peak = null, current = null;
        foreach (var line in File.ReadLines($"/proc/{pid.ToString(CultureInfo.InvariantCulture)}/status"))
        {
            if (line.StartsWith("VmHWM:", StringComparison.Ordinal))
            {
                peak = Kilobytes(line);
            }
            else if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
            {
                current = Kilobytes(line);
            }
        }

        return peak is { } p && current is { } c
            ? new ProcessMemory(p, c)
            : throw new InvalidOperationException($"/proc/{pid}/status has no VmHWM/VmRSS (not Linux, or the process is a zombie)");
    }

    public override string ToString() =>
        string.Create(CultureInfo.InvariantCulture, $"peak {PeakBytes / (1024.0 * 1024):0.0} MiB, current {CurrentBytes / (1024.0 * 1024):0.0} MiB");

    // "VmHWM:\t  123456 kB"
    private static long Kilobytes(string line)
    {
        var parts = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
        return parts.Length >= 3 && parts[2] == "kB" && long.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out var kb)
            ? kb * 1024
            : throw new FormatException($"unexpected /proc status line '{line}'");
    }
}
