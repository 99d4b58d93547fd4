using K8sReplication.Operator.Crd;
using K8sReplication.Operator.Hosting;

namespace K8sReplication.Operator;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "crd")
        {
            return CrdCommand.Run(args.AsSpan(1));
        }

        if (args.Length > 0 && args[0] is "--help" or "-h" or "help")
        {
            Console.Out.WriteLine(OperatorCommandLine.Usage);
            return 0;
        }

        var (options, error) = OperatorCommandLine.Parse(args);
        if (options is null)
        {
            await Console.Error.WriteLineAsync($"k8srepl-operator: {error}\n{OperatorCommandLine.Usage}").ConfigureAwait(false);
            return OperatorHost.ConfigErrorExitCode;
        }

        return await OperatorHost.RunAsync(options, CancellationToken.None).ConfigureAwait(false);
    }
}
