using System.Runtime.InteropServices;
using K8sReplication.Sandbox.Processes;

namespace K8sReplication.Sandbox;

internal static class Program
{
    public static async Task<int> Main(string[] args)
    {
        SandboxOptions options;
        try
        {
            options = SandboxOptions.Parse(args);
        }
        catch (ArgumentException e)
        {
            await Console.Error.WriteLineAsync((e.Message.Length > 0 ? e.Message + "\n" : "") + SandboxOptions.Usage);
            return e.Message.Length > 0 ? 2 : 0;
        }

        using var stop = new CancellationTokenSource();
        void OnSignal(PosixSignalContext context)
        {
            // Stop in order (writer, sidecars, operator, emulator) instead of dying with children still running.
            context.Cancel = true;
            stop.Cancel();
        }

        using var sigint = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
        using var sigterm = PosixSignalRegistration.Create(PosixSignal.SIGTERM, OnSignal);
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            foreach (var child in ChildProcess.Live)
            {
                child.Kill();
            }
        };

        try
        {
            return await new SandboxRun(options).RunAsync(stop.Token);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            await Console.Error.WriteLineAsync("sandbox failed: " + e.Message);
            return 1;
        }
    }
}
