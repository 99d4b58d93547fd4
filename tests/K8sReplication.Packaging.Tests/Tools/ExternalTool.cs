namespace K8sReplication.Packaging.Tests.Tools;

/// <summary>
/// helm and kubectl for the packaging tests: TestKit's <see cref="TestKit.Tools.ExternalTool"/> (found through its
/// K8SREPL_* variable, PATH or .tools/bin; missing means fail), run from the repository root and isolated from the
/// developer's own cluster and helm settings.
/// </summary>
public sealed class ExternalTool
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    private static readonly Lazy<ExternalTool> LazyHelm = new(() => new(TestKit.Tools.ExternalTool.Helm));
    private static readonly Lazy<ExternalTool> LazyKubectl = new(() => new(TestKit.Tools.ExternalTool.Kubectl));

    private readonly TestKit.Tools.ExternalTool _tool;

    private ExternalTool(TestKit.Tools.ExternalTool tool) => _tool = tool;

    public static ExternalTool Helm => LazyHelm.Value;

    public static ExternalTool Kubectl => LazyKubectl.Value;

    public string Path => _tool.Path;

    public async Task<ToolResult> RunAsync(IEnumerable<string> args, IReadOnlyDictionary<string, string>? env = null, string? stdin = null)
    {
        var argList = args.ToList();
        var temp = System.IO.Path.GetTempPath();
        var isolated = new Dictionary<string, string>(StringComparer.Ordinal)
        {
            // Never let the developer's own cluster or helm settings leak into a test.
            ["KUBECONFIG"] = "/nonexistent/kubeconfig",
            ["HELM_CACHE_HOME"] = System.IO.Path.Combine(temp, "k8srepl-helm-cache"),
            ["HELM_CONFIG_HOME"] = System.IO.Path.Combine(temp, "k8srepl-helm-config"),
            ["HELM_DATA_HOME"] = System.IO.Path.Combine(temp, "k8srepl-helm-data"),
        };
        foreach (var (key, value) in env ?? new Dictionary<string, string>())
        {
            isolated[key] = value;
        }

        var exit = await _tool.RunAsync(argList, stdin, isolated, Timeout, TestKit.RepoPaths.Root);
        return new ToolResult(exit.ExitCode, exit.Stdout, exit.Stderr, $"{System.IO.Path.GetFileName(Path)} {string.Join(' ', argList)}");
    }
}
