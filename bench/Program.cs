namespace K8sReplication.Bench;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "all")
        {
            return Suite.AllCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "operator-scale")
        {
            return Operator.OperatorScaleCommand.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "redis-transport")
        {
            return Cases.RedisTransportCase.RunAsync(args[1..]).GetAwaiter().GetResult();
        }

        if (args.Length > 0 && args[0] == "metrics")
        {
            var iterations = int.Parse(Option(args, "--iterations") ?? "2000000", System.Globalization.CultureInfo.InvariantCulture);
            return MetricsBench.Run(iterations, int.Parse(Option(args, "--reps") ?? "5", System.Globalization.CultureInfo.InvariantCulture));
        }

        if (args.Length == 0 || args[0] != "storage")
        {
            Console.Error.WriteLine("usage: K8sReplication.Bench storage [--dir PATH] [--rows N] [--reps N] [--only capture,apply,merkle] | all [--quick] [--only CASES] | operator-scale [--meshes 100] [--members 10] | metrics [--iterations N] [--reps N] | redis-transport [--rows N] [--reps N] [--sidecar jit|aot|PATH] (see bench/README.md)");
            return 2;
        }

        var dir = Option(args, "--dir") ?? Path.Combine(Path.GetTempPath(), "k8srepl-bench");
        var rows = int.Parse(Option(args, "--rows") ?? "100000", System.Globalization.CultureInfo.InvariantCulture);
        var reps = int.Parse(Option(args, "--reps") ?? "3", System.Globalization.CultureInfo.InvariantCulture);
        var only = Option(args, "--only")?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
        return StorageBench.Run(dir, rows, reps, only);
    }

    private static string? Option(string[] args, string name)
    {
        var i = Array.IndexOf(args, name);
        return i >= 0 && i + 1 < args.Length ? args[i + 1] : null;
    }
}
