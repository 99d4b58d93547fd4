using System.Net;
using System.Reflection;
using Xunit.Abstractions;
using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Emulator;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>
/// Runs the real operator against the emulator through a mesh's whole life (create, members, membership change,
/// delete with finalizer) with leader election on, records every API call it makes, and checks the chart's RBAC
/// grants each one.
/// </summary>
public sealed class OperatorRbacCoverageTests(ITestOutputHelper output)
{
    private const string AppNamespace = "rbac-apps";
    private const string OperatorNamespace = "rbac-system";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    /// <summary>This project builds the operator without referencing it; the csproj records where its dll lands.</summary>
    internal static string BuiltOperatorDll =>
        Environment.GetEnvironmentVariable("K8SREPL_OPERATOR_DLL") is { Length: > 0 } fromEnv
            ? fromEnv
            : typeof(OperatorRbacCoverageTests).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OperatorDll").Value!;

    [Theory]
    [InlineData("cluster")]
    [InlineData("namespace")]
    public async Task ChartRbac_CoversEveryApiCallTheOperatorMakes(string scope)
    {
        var dir = Directory.CreateTempSubdirectory("k8srepl-rbac-").FullName;
        try
        {
            await using var server = await ApiServerEmulator.StartAsync();
            var kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
            async Task<string> Kubectl(params string[] args) =>
                (await ExternalTool.Kubectl.RunAsync(["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(dir, "cache"), .. args])).EnsureSuccess().Stdout;

            await Kubectl("apply", "-f", Path.Combine(RepoPaths.Root, "crds"));
            await Kubectl("apply", "-f", EmulatorCluster.TestData("rbac-scenario.yaml"));
            foreach (var pod in new[] { "demo-0", "demo-1" })
            {
                await Kubectl("patch", "pod", pod, "-n", AppNamespace, "--subresource=status", "--type=merge",
                    "-p", """{"status":{"phase":"Running","podIP":"127.0.0.1"}}""");
            }

            string[] scopeArgs = scope == "cluster" ? ["--all-namespaces"] : ["--namespace", AppNamespace];
            await using var op = await OperatorProcess.StartAsync(["--kubeconfig", kubeconfig, .. scopeArgs,
                "--health-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0",
                "--leader-elect", "--lease-namespace", OperatorNamespace, "--resync", "2s"],
                new Dictionary<string, string> { ["POD_NAME"] = "k8srepl-operator-rbac-test" }, BuiltOperatorDll);

            bool Seen(string verb, string resource, string? subresource = null) =>
                OperatorCalls(server).Any(r => r.Verb == verb && r.Resource == resource && r.Subresource == subresource && r.StatusCode < 300);

            await Eventually.TrueAsync(() => op.HasExited || (Seen("create", "configmaps") && Seen("update", "replicationmeshes", "status")
                    && Seen("create", "leases") && Seen("create", "events")),
                Deadline, "the operator to take the lease, write the mesh ConfigMap, the status and an Event");
            Assert.False(op.HasExited, $"the operator exited:\n{op.Output}");

            // A member leaves: the ConfigMap is rewritten.
            await Kubectl("delete", "pod", "demo-1", "-n", AppNamespace, "--wait=false");
            await Eventually.TrueAsync(() => op.HasExited || Seen("update", "configmaps"), Deadline, "the operator to rewrite the ConfigMap");

            // The mesh goes: the finalizer flow runs and releases it.
            await Kubectl("delete", "replicationmesh", "demo", "-n", AppNamespace, "--wait=false");
            using var http = new HttpClient { BaseAddress = server.Url };
            await Eventually.ValueAsync(
                () => http.GetAsync($"/apis/replication.k8srepl.dev/v1alpha1/namespaces/{AppNamespace}/replicationmeshes/demo"),
                response => response.StatusCode == HttpStatusCode.NotFound || op.HasExited, Deadline, "the finalizer to be released");
            Assert.False(op.HasExited, $"the operator exited:\n{op.Output}");

            string[] values = scope == "cluster"
                ? ["--set", "watch.scope=cluster", "--set", "replicaCount=2"]
                : ["--set", "watch.scope=namespace", "--set", $"watch.namespace={AppNamespace}", "--set", "leaderElection.enabled=true"];
            var rbac = new ChartRbac(await ChartFiles.RenderAsync([.. values, "--namespace", OperatorNamespace]),
                "k8srepl-k8s-replication", OperatorNamespace);
            var calls = OperatorCalls(server).Where(r => r.Group is not null).ToList();
            var denied = rbac.Denied(calls);
            Assert.True(denied.Count == 0, "the chart's RBAC does not allow:\n" + string.Join('\n', denied));

            // The run exercised what it claims to have exercised.
            var exercised = calls.Select(r => RbacGrant.Format(r.Verb, r.Group!, r.Subresource is null ? r.Resource : $"{r.Resource}/{r.Subresource}")).ToHashSet();
            // Grants this run did not need are not errors (other paths may need them), but they are worth seeing.
            output.WriteLine("exercised: " + string.Join(", ", exercised.Order()));
            output.WriteLine("granted, not exercised: " + string.Join(", ", rbac.AllGrants().Except(exercised).Order()));
            foreach (var expected in new[]
                     {
                         "list replication.k8srepl.dev/replicationmeshes", "watch replication.k8srepl.dev/replicationmeshes",
                         "list core/pods", "watch core/pods", "list core/secrets", "watch core/secrets", "create core/secrets", "create core/configmaps",
                         "update replication.k8srepl.dev/replicationmeshes/status", "create events.k8s.io/events",
                         "create coordination.k8s.io/leases",
                         "list networking.k8s.io/networkpolicies", "watch networking.k8s.io/networkpolicies",
                         "create networking.k8s.io/networkpolicies",
                     })
            {
                Assert.Contains(expected, exercised);
            }
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }

    /// <summary>Requests made by our client (user agent k8srepl/...), not by kubectl.</summary>
    internal static IEnumerable<RecordedRequest> OperatorCalls(ApiServerEmulator server) =>
        server.Requests.Where(r => r.UserAgent.StartsWith("k8srepl/", StringComparison.Ordinal));
}
