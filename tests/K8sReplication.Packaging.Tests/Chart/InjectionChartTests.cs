using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;

namespace K8sReplication.Packaging.Tests.Chart;

/// <summary>The injection webhook's chart objects: the configuration, its Service and the operator's flags agree.</summary>
public sealed class InjectionChartTests
{
    [Fact]
    public async Task Defaults_InstallNoWebhook()
    {
        var objects = await ChartFiles.RenderAsync();
        Assert.DoesNotContain(objects, o => o.Kind() == "MutatingWebhookConfiguration");
        Assert.DoesNotContain("--webhook-listen", HelmLintAndTemplateTests.OperatorArgs(objects));
    }

    [Fact]
    public async Task Enabled_TheConfigurationCallsTheServiceThatReachesTheOperatorsWebhookPort()
    {
        var objects = await ChartFiles.RenderAsync("--set", "injection.enabled=true");
        var configuration = objects.OnlyOne("MutatingWebhookConfiguration");
        var webhook = configuration["webhooks"].Items().Single();
        Assert.Equal(["v1"], webhook["admissionReviewVersions"].Strings());
        Assert.Equal("None", (string?)webhook["sideEffects"]);
        Assert.Equal("Fail", (string?)webhook["failurePolicy"]);
        Assert.Equal(10, (long?)webhook["timeoutSeconds"]);
        Assert.Null(webhook["clientConfig"]!["caBundle"]);
        var rule = webhook["rules"].Items().Single();
        Assert.Equal(["CREATE"], rule["operations"].Strings());
        Assert.Equal(["pods"], rule["resources"].Strings());
        Assert.Equal("true", (string?)webhook["objectSelector"]!["matchLabels"]!["replication.k8srepl.dev/inject"]);
        // Namespace scope: only the watched namespace's pods are sent (the operator knows no other meshes).
        Assert.Equal(ChartFiles.Namespace, (string?)webhook["namespaceSelector"]!["matchLabels"]!["kubernetes.io/metadata.name"]);

        var service = objects.OnlyOne("Service", "-webhook");
        var clientService = webhook["clientConfig"]!["service"]!;
        Assert.Equal(service.Name(), (string?)clientService["name"]);
        Assert.Equal(ChartFiles.Namespace, (string?)clientService["namespace"]);
        Assert.Equal("/inject", (string?)clientService["path"]);
        Assert.Equal(443, (long?)clientService["port"]);
        var port = service["spec"]!["ports"].Items().Single();
        Assert.Equal(443, (long?)port["port"]);
        Assert.Equal("webhook", (string?)port["targetPort"]);

        var container = (JsonObject)objects.OnlyOne("Deployment")["spec"]!["template"]!["spec"]!["containers"]![0]!;
        var containerPort = container["ports"].Items().Single(p => (string?)p["name"] == "webhook");
        var args = HelmLintAndTemplateTests.OperatorArgs(objects);
        Assert.Equal($"0.0.0.0:{containerPort["containerPort"]}", args[args.IndexOf("--webhook-listen") + 1]);
        Assert.Equal(configuration.Name(), args[args.IndexOf("--webhook-configuration") + 1]);
        Assert.Equal(service.Name(), args[args.IndexOf("--webhook-service") + 1]);
        Assert.Equal(ChartFiles.Namespace, args[args.IndexOf("--webhook-service-namespace") + 1]);
        Assert.Equal("native", args[args.IndexOf("--sidecar-mode") + 1]);
        Assert.Equal("cpu=50m,memory=64Mi", args[args.IndexOf("--sidecar-requests") + 1]);
        Assert.Equal("memory=256Mi", args[args.IndexOf("--sidecar-limits") + 1]);
    }

    [Fact]
    public async Task Values_SetModeFailurePolicyTimeoutAndSelectors()
    {
        var objects = await ChartFiles.RenderAsync("--set", "injection.enabled=true", "--set", "injection.mode=classic",
            "--set", "injection.failurePolicy=Ignore", "--set", "injection.timeoutSeconds=3",
            "--set", "injection.namespaceSelector.matchLabels.team=storage", "--set", "watch.scope=cluster");
        var webhook = objects.OnlyOne("MutatingWebhookConfiguration")["webhooks"].Items().Single();
        Assert.Equal("Ignore", (string?)webhook["failurePolicy"]);
        Assert.Equal(3, (long?)webhook["timeoutSeconds"]);
        Assert.Equal("storage", (string?)webhook["namespaceSelector"]!["matchLabels"]!["team"]);
        var args = HelmLintAndTemplateTests.OperatorArgs(objects);
        Assert.Equal("classic", args[args.IndexOf("--sidecar-mode") + 1]);

        var cluster = await ChartFiles.RenderAsync("--set", "injection.enabled=true", "--set", "watch.scope=cluster");
        var expression = cluster.OnlyOne("MutatingWebhookConfiguration")["webhooks"].Items().Single()["namespaceSelector"]!["matchExpressions"].Items().Single();
        Assert.Equal("NotIn", (string?)expression["operator"]);
        Assert.Equal([ChartFiles.Namespace], expression["values"].Strings());
    }

    [Theory]
    [InlineData("injection.mode=sidecar", "injection.mode")]
    [InlineData("injection.failurePolicy=Maybe", "injection.failurePolicy")]
    [InlineData("injection.timeoutSeconds=31", "injection.timeoutSeconds")]
    public async Task BadInjectionValues_AreRejectedNamingTheField(string value, string field)
    {
        var result = await ExternalTool.Helm.RunAsync(["template", "r", ChartFiles.ChartDir, "--set", value]);
        Assert.NotEqual(0, result.ExitCode);
        Assert.Contains(field.Split('.')[^1], result.Stderr, StringComparison.Ordinal);
    }
}
