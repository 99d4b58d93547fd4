using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Cases;

/// <summary>
/// Capture overhead on the app's autocommit writes: the same single-row INSERTs into a plain database and into a
/// database whose sidecar is running (capture triggers installed, the fold loop working concurrently).
/// </summary>
internal static class CaptureCase
{
    public sealed record Result(Sample Plain, Sample Captured);

    public static async Task<Result> RunAsync(SuiteOptions o)
    {
        var rows = o.Quick ? 500 : 3000;
        var folder = Path.Combine(o.Dir, "capture");
        var plain = new Sample("rows/s");
        var captured = new Sample("rows/s");
        await using var node = new BenchNode("cap", Path.Combine(folder, "sidecar"));
        node.CreateDatabase();
        await node.StartAsync();
        await node.WaitReadyAsync();
        var plainPath = Path.Combine(folder, "plain.db");
        for (var rep = 0; rep < o.Reps; rep++)
        {
            LimitCases.DeleteDb(plainPath);
            using (var c = LimitCases.OpenApp(plainPath))
            {
                LimitCases.Exec(c, BenchNode.Schema);
                plain.Add(rows / AppTaxCase.Autocommit(c, rows));
            }

            using (var c = node.Open())
            {
                captured.Add(rows / AppTaxCase.Autocommit(c, rows));
            }
        }

        LimitCases.DeleteDb(plainPath);
        return new Result(plain, captured);
    }
}
