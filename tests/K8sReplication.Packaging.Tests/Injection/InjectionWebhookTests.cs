using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Chart;
using K8sReplication.Packaging.Tests.Rbac;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;
using K8sReplication.TestKit.Kube;
using K8sReplication.TestKit.Processes;

namespace K8sReplication.Packaging.Tests.Injection;

/// <summary>
/// The injection webhook end to end: the chart's webhook objects applied with the real kubectl to the API emulator
/// (which calls mutating webhooks as kube-apiserver does), the real operator started with the webhook flags the chart
/// renders, then plain pods applied with kubectl: one gets the sidecar, one with a bad annotation is refused.
/// </summary>
public sealed class InjectionWebhookTests
{
    private const string OperatorNamespace = "k8srepl-system";
    private const string AppNamespace = "apps";
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    private const string Mesh = """
        apiVersion: replication.k8srepl.dev/v1alpha1
        kind: ReplicationMesh
        metadata: { name: notes, namespace: apps }
        spec:
          selector: { matchLabels: { app: notes } }
          authSecretRef: { name: notes-token }
        """;

    private static string Pod(string name, string database) => $$"""
        apiVersion: v1
        kind: Pod
        metadata:
          name: {{name}}
          namespace: apps
          labels: { app: notes, replication.k8srepl.dev/inject: "true" }
          annotations: { replication.k8srepl.dev/database: "{{database}}" }
        spec:
          containers:
            - name: app
              image: ghcr.io/k8srepl/sqlite-writer:0.1.0
              volumeMounts: [{ name: data, mountPath: /data }]
          volumes:
            - { name: data, emptyDir: {} }
        """;

    [Fact]
    public async Task APlainPod_GetsTheSidecar_AndABadAnnotationIsRefusedNamingIt()
    {
        var dir = Directory.CreateTempSubdirectory("k8srepl-inject-").FullName;
        try
        {
            var options = new ApiServerEmulatorOptions();
            await using var server = await ApiServerEmulator.StartAsync(options);
            var kubeconfig = server.WriteKubeconfig(Path.Combine(dir, "kubeconfig"));
            Task<ToolResult> Kubectl(params string[] args) =>
                ExternalTool.Kubectl.RunAsync(["--kubeconfig", kubeconfig, "--cache-dir", Path.Combine(dir, "cache"), .. args]);
            async Task<string> Apply(string manifest)
            {
                var file = Path.Combine(dir, $"{Guid.NewGuid():N}.yaml");
                await File.WriteAllTextAsync(file, manifest);
                return (await Kubectl("apply", "-f", file)).EnsureSuccess().Stdout;
            }

            (await Kubectl("apply", "-f", Path.Combine(RepoPaths.Root, "crds"))).EnsureSuccess();
            (await Kubectl("create", "namespace", OperatorNamespace)).EnsureSuccess();
            (await Kubectl("create", "namespace", AppNamespace)).EnsureSuccess();

            // The chart's webhook objects and the operator flags it renders, for a release watching the app namespace.
            string[] values = ["--namespace", OperatorNamespace, "--set", "injection.enabled=true", "--set", $"watch.namespace={AppNamespace}"];
            var rendered = await ChartFiles.RenderAsync(values);
            var manifest = await ChartFiles.TemplateAsync([.. values, "--show-only", "templates/webhook.yaml"]);
            await Apply(manifest);
            var configuration = rendered.OnlyOne("MutatingWebhookConfiguration").Name();
            var service = rendered.OnlyOne("Service", "-webhook").Name();
            var chartArgs = HelmLintAndTemplateTests.OperatorArgs(rendered);
            var webhookArgs = new List<string>();
            for (var i = chartArgs.IndexOf("--webhook-configuration"); i < chartArgs.Count && chartArgs[i] != "--leader-elect"; i++)
            {
                webhookArgs.Add(chartArgs[i]);
            }

            await using var op = await OperatorProcess.StartAsync(["--kubeconfig", kubeconfig, "--namespace", AppNamespace,
                "--health-listen", "127.0.0.1:0", "--metrics-listen", "127.0.0.1:0", "--resync", "2s",
                "--webhook-listen", "127.0.0.1:0", .. webhookArgs],
                new Dictionary<string, string> { ["POD_NAME"] = "k8srepl-operator-0" }, OperatorRbacCoverageTests.BuiltOperatorDll);
            var webhook = op.Started.Webhook ?? throw new InvalidOperationException("the started line names no webhook URL:\n" + op.Output);
            options.ServiceEndpoints[ApiServerEmulatorOptions.ServiceKey(OperatorNamespace, service, 443)] = new DnsEndPoint("127.0.0.1", webhook.Port);

            // The operator makes its CA and serving certificate, keeps them in its Secret and sets the caBundle.
            var bundle = await Eventually.ValueAsync(async () =>
                {
                    var json = JsonNode.Parse((await Kubectl("get", "mutatingwebhookconfiguration", configuration, "-o", "json")).EnsureSuccess().Stdout)!;
                    return (string?)json["webhooks"]![0]!["clientConfig"]!["caBundle"];
                },
                b => op.HasExited || !string.IsNullOrEmpty(b), Deadline, "the operator to set the caBundle");
            Assert.False(op.HasExited, op.Output);
            Assert.Contains("BEGIN CERTIFICATE", Encoding.UTF8.GetString(Convert.FromBase64String(bundle!)), StringComparison.Ordinal);
            var secret = JsonNode.Parse((await Kubectl("get", "secret", "-n", OperatorNamespace, "k8srepl-k8s-replication-webhook-tls", "-o", "json")).EnsureSuccess().Stdout)!;
            static string Pem(string? base64) => Encoding.UTF8.GetString(Convert.FromBase64String(base64!)).Trim();
            Assert.Equal(Pem((string?)secret["data"]!["ca.crt"]), Pem(bundle));

            // The mesh first, and seen by the operator (it adds its finalizer), so the webhook finds it.
            await Apply(Mesh);
            await Eventually.ValueAsync(async () => (await Kubectl("get", "rmesh", "notes", "-n", AppNamespace, "-o", "jsonpath={.metadata.finalizers}")).EnsureSuccess().Stdout,
                f => op.HasExited || f.Contains("replication.k8srepl.dev", StringComparison.Ordinal), Deadline, "the operator to see the mesh");

            await Apply(Pod("notes-0", "/data/app.db"));
            var pod = JsonNode.Parse((await Kubectl("get", "pod", "notes-0", "-n", AppNamespace, "-o", "json")).EnsureSuccess().Stdout)!.AsObject();
            var spec = pod["spec"]!.AsObject();
            var sidecar = spec["initContainers"].Items().Single();
            Assert.Equal("k8srepl-sidecar", (string?)sidecar["name"]);
            Assert.Equal("Always", (string?)sidecar["restartPolicy"]);
            Assert.Equal("ghcr.io/k8srepl/k8srepl-sidecar:0.1.0", (string?)sidecar["image"]);
            var args = sidecar["args"].Strings().ToList();
            Assert.Equal("/data/app.db", args[args.IndexOf("--database") + 1]);
            Assert.Equal("/etc/k8srepl/tls/$(POD_NAME).crt", args[args.IndexOf("--tls-cert") + 1]);
            Assert.Equal("/var/run/secrets/k8srepl/token", args[args.IndexOf("--token-file") + 1]);
            Assert.Equal(["k8srepl", "k8srepl-admin"], sidecar["ports"].Items().Select(p => (string)p["name"]!));
            Assert.Equal("50m", (string?)sidecar["resources"]!["requests"]!["cpu"]);
            Assert.Contains(sidecar["volumeMounts"].Items(), m => (string?)m["name"] == "data" && (string?)m["mountPath"] == "/data");
            var volumes = spec["volumes"].Items().ToDictionary(v => (string)v["name"]!);
            Assert.Equal("notes-member-tls", (string?)volumes["k8srepl-tls"]["secret"]!["secretName"]);
            Assert.Equal("notes-token", (string?)volumes["k8srepl-token"]["secret"]!["secretName"]);
            Assert.Equal("notes-sidecar-config", (string?)volumes["k8srepl-config"]["configMap"]!["name"]);
            Assert.Equal("notes", (string?)pod["metadata"]!["annotations"]!["replication.k8srepl.dev/mesh"]);

            // A relative database path: kubectl apply fails with the webhook's message naming the annotation.
            var file = Path.Combine(dir, "bad.yaml");
            await File.WriteAllTextAsync(file, Pod("notes-1", "data/app.db"));
            var refused = await Kubectl("apply", "-f", file);
            Assert.NotEqual(0, refused.ExitCode);
            Assert.Contains("denied the request: annotation replication.k8srepl.dev/database", refused.Stderr, StringComparison.Ordinal);
            Assert.NotEqual(0, (await Kubectl("get", "pod", "notes-1", "-n", AppNamespace)).ExitCode);

            // Every call the operator made for the webhook is granted by the chart's RBAC.
            var rbac = new ChartRbac(rendered, "k8srepl-k8s-replication", OperatorNamespace);
            var denied = rbac.Denied(OperatorRbacCoverageTests.OperatorCalls(server));
            Assert.True(denied.Count == 0, "the chart's RBAC does not allow:\n" + string.Join('\n', denied));
            Assert.Contains(server.Requests, r => r.Verb == "patch" && r.Resource == "mutatingwebhookconfigurations" && r.StatusCode < 300);
            Assert.Contains(server.Requests, r => r.Verb == "create" && r.Resource == "secrets" && r.Namespace == OperatorNamespace && r.StatusCode < 300);
        }
        finally
        {
            Directory.Delete(dir, recursive: true);
        }
    }
}
