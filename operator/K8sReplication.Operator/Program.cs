using K8sReplication.Operator.Crd;

namespace K8sReplication.Operator;

internal static class Program
{
    public static int Main(string[] args)
    {
        if (args.Length > 0 && args[0] == "crd")
        {
            return CrdCommand.Run(args.AsSpan(1));
        }

        Console.Error.WriteLine("usage: k8srepl-operator crd [--output PATH]");
        return 2;
    }
}
