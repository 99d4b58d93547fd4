namespace K8sReplication.Operator;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("k8srepl-operator: not implemented yet");
        return args.Length == 0 ? 2 : 2;
    }
}
