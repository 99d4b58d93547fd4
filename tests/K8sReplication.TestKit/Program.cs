using System.Globalization;
using System.Net;
using System.Runtime.InteropServices;
using K8sReplication.TestKit.Kube;

namespace K8sReplication.TestKit;

internal static class Program
{
    private const string Usage = "usage: K8sReplication.TestKit apiserver --listen 127.0.0.1:PORT [--kubeconfig-out PATH] [--namespace NS] [--token TOKEN] [--service-endpoint NAMESPACE/NAME[:PORT]=HOST:PORT]...";

    public static async Task<int> Main(string[] args)
    {
        if (args.Length == 0 || args[0] != "apiserver")
        {
            await Console.Error.WriteLineAsync(Usage);
            return 2;
        }

        var listen = "127.0.0.1:0";
        string? kubeconfig = null;
        var ns = "default";
        string? token = null;
        var options = new ApiServerEmulatorOptions();
        for (var i = 1; i < args.Length; i++)
        {
            var value = i + 1 < args.Length ? args[i + 1] : null;
            switch (args[i])
            {
                case "--listen" when value is not null:
                    listen = value;
                    i++;
                    break;
                case "--kubeconfig-out" when value is not null:
                    kubeconfig = value;
                    i++;
                    break;
                case "--namespace" when value is not null:
                    ns = value;
                    i++;
                    break;
                case "--token" when value is not null:
                    token = value;
                    i++;
                    break;
                case "--service-endpoint" when value is not null && ServiceEndpointArgument.TryParse(value, out var key, out var serviceEndpoint):
                    options.ServiceEndpoints[key] = serviceEndpoint;
                    i++;
                    break;
                default:
                    await Console.Error.WriteLineAsync($"unknown or incomplete argument '{args[i]}'\n{Usage}");
                    return 2;
            }
        }

        if (!IPEndPoint.TryParse(listen, out var endpoint) || !IPAddress.IsLoopback(endpoint.Address))
        {
            await Console.Error.WriteLineAsync($"--listen: '{listen}' is not a loopback HOST:PORT (the emulator only listens on 127.0.0.1)\n{Usage}");
            return 2;
        }

        var stop = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, c => { c.Cancel = true; stop.TrySetResult(); });
        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, c => { c.Cancel = true; stop.TrySetResult(); });
        options.Port = endpoint.Port;
        await using var emulator = await ApiServerEmulator.StartAsync(options);
        if (token is not null)
        {
            emulator.AcceptedTokens = new HashSet<string>(StringComparer.Ordinal) { token };
        }

        if (kubeconfig is not null)
        {
            emulator.WriteKubeconfig(kubeconfig, ns, token);
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"{{\"event\":\"listening\",\"url\":\"{emulator.Url.ToString().TrimEnd('/')}\"}}"));
        await Console.Out.FlushAsync();
        await stop.Task;
        return 0;
    }
}
