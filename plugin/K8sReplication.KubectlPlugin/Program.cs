using K8sReplication.KubectlPlugin;

using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};
return await PluginCommands.RunAsync(args, Console.Out, Console.Error, cancel.Token);
