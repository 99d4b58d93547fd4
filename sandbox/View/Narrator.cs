using System.Diagnostics;

namespace K8sReplication.Sandbox.View;

/// <summary>
/// What the sandbox says happened, with the time since start. In plain mode lines are printed at once; on a terminal
/// the live view shows the latest ones under the table (the screen is redrawn, so direct writes would be wiped).
/// </summary>
internal sealed class Narrator(bool plain)
{
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly Lock _gate = new();
    private readonly List<string> _lines = [];

    public TimeSpan Elapsed => Stopwatch.GetElapsedTime(_start);

    public void Say(string text)
    {
        var line = $"[{Elapsed.TotalSeconds,5:0.0}s] {text}";
        lock (_gate)
        {
            _lines.Add(line);
            if (plain)
            {
                Console.WriteLine(line);
            }
        }
    }

    public IReadOnlyList<string> Latest(int count)
    {
        lock (_gate)
        {
            return [.. _lines.Skip(Math.Max(0, _lines.Count - count))];
        }
    }
}
