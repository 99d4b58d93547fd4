using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Chart;

/// <summary>Where the chart lives and how it renders with the real helm.</summary>
public static class ChartFiles
{
    public const string Release = "k8srepl";
    public const string Namespace = "k8srepl-system";

    public static string ChartDir => Path.Combine(RepoPaths.Root, "charts", "k8s-replication");

    public static string AllFeaturesValues => Path.Combine(ChartDir, "ci", "all-features-values.yaml");

    public static string NamespaceScopeValues => Path.Combine(ChartDir, "ci", "namespace-scope-values.yaml");

    /// <summary>Runs <c>helm template</c> and returns the manifest text; fails with helm's own message.</summary>
    public static Task<string> TemplateAsync(params string[] extraArgs) => TemplateReleaseAsync(Release, extraArgs);

    public static async Task<string> TemplateReleaseAsync(string release, params string[] extraArgs)
    {
        string[] args = ["template", release, ChartDir, "--namespace", Namespace, .. extraArgs];
        var result = await ExternalTool.Helm.RunAsync(args);
        return result.EnsureSuccess().Stdout;
    }

    public static async Task<IReadOnlyList<JsonObject>> RenderAsync(params string[] extraArgs) =>
        Yaml.LoadObjects(await TemplateAsync(extraArgs));
}
