namespace K8sReplication.TestKit.Processes;

/// <summary>
/// Watches a sidecar's resident memory and kills it once it passes a ceiling, so a test showing a memory blow-up fails
/// with the number instead of taking gigabytes from the shared machine. Reads <c>VmRSS</c> every few milliseconds.
/// </summary>
public sealed class MemoryCeiling : IAsyncDisposable
{
    private static readonly TimeSpan PollInterval = TimeSpan.FromMilliseconds(5);

    private readonly SidecarProcess _process;
    private readonly long _ceilingBytes;
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _watch;
    private long _highestBytes;

    public MemoryCeiling(SidecarProcess process, long ceilingBytes)
    {
        ArgumentNullException.ThrowIfNull(process);
        _process = process;
        _ceilingBytes = ceilingBytes;
        _watch = Task.Run(() => WatchAsync(_stop.Token));
    }

    /// <summary>True once the process went over the ceiling and was killed.</summary>
    public bool Tripped { get; private set; }

    /// <summary>Highest resident size seen (VmRSS reads and the VmHWM at the moment of the kill).</summary>
    public long HighestBytes => Interlocked.Read(ref _highestBytes);

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync();
        await _watch;
        _stop.Dispose();
    }

    private async Task WatchAsync(CancellationToken cancellationToken)
    {
        var pid = _process.Pid;
        while (!cancellationToken.IsCancellationRequested)
        {
            ProcessMemory memory;
            try
            {
                memory = ProcessMemory.Read(pid);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // Gone or restarted: follow the new process, if any.
                if (!_process.HasExited && _process.Pid != pid)
                {
                    pid = _process.Pid;
                }

                await Delay(cancellationToken);
                continue;
            }

            if (memory.CurrentBytes > Interlocked.Read(ref _highestBytes))
            {
                Interlocked.Exchange(ref _highestBytes, memory.CurrentBytes);
            }

            if (memory.CurrentBytes > _ceilingBytes)
            {
                Interlocked.Exchange(ref _highestBytes, Math.Max(memory.PeakBytes, memory.CurrentBytes));
                Tripped = true;
                _process.Kill();
                return;
            }

            await Delay(cancellationToken);
        }
    }

    private static async Task Delay(CancellationToken cancellationToken)
    {
        try
        {
            await Task.Delay(PollInterval, cancellationToken);
        }
        catch (OperationCanceledException)
        {
            // Disposed.
        }
    }
}
