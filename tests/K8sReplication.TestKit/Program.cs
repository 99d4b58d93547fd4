namespace K8sReplication.TestKit;

internal static class Program
{
    public static int Main(string[] args)
    {
        Console.Error.WriteLine("usage: K8sReplication.TestKit apiserver --listen HOST:PORT --kubeconfig-out PATH");
        return args.Length == 0 ? 2 : 2;
    }
}
