using K8sReplication.Bench.Cases;
using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Operator;

/// <summary>`operator-scale [--meshes 100] [--members 10] [--quiet-seconds 30] [--no-restart]`: the operator case alone, printed as a table.</summary>
internal static class OperatorScaleCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        var o = OperatorScaleOptions.Parse(args);
        var run = new SuiteRun { Command = "dotnet run -c Release --project bench -- operator-scale " + string.Join(' ', args), Repetitions = 1 };
        run.LoadBefore = ProcessMetrics.LoadAverage1();
        var clock = System.Diagnostics.Stopwatch.StartNew();
        var result = await OperatorScaleCase.RunAsync(o, line => Console.Error.WriteLine($"[{clock.Elapsed:mm\\:ss}] {line}"));
        run.Rows.AddRange(OperatorScaleRows.Of(result));
        run.LoadAfter = ProcessMetrics.LoadAverage1();
        run.Elapsed = clock.Elapsed;
        if (result.Rejected > 0)
        {
            run.Notes.Add($"{result.Rejected} sidecar requests were rejected (unknown member address or wrong token)");
        }

        Console.WriteLine(SuiteReport.Markdown(run));
        return 0;
    }
}
