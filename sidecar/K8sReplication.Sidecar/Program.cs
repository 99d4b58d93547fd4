namespace K8sReplication.Sidecar;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("k8srepl-sidecar: not implemented yet");
        return args.Length == 0 ? 2 : 2;
    }
}
