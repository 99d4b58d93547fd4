using System.Text.Json.Nodes;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Examples;

/// <summary>The example wires the sidecar exactly as the operator ↔ sidecar contract (issues 5 and 6) says.</summary>
public sealed class SqliteAppExampleTests
{
    private static readonly string[] SidecarFlags =
    [
        "--database", "--tables", "--node-name", "--listen", "--admin-listen", "--peer", "--config", "--token-file", "--tls-cert", "--tls-key", "--tls-ca",
        "--anti-entropy-interval", "--state-dir",
    ];

    public static TheoryData<string> Variants => new() { "statefulset.yaml", "statefulset-without-native-sidecars.yaml" };

    private static JsonObject Load(string file) => Yaml.LoadFile(Path.Combine(RepoPaths.Root, "examples", "sqlite-app", file)).Single();

    private static JsonObject PodSpec(string file) => (JsonObject)Load(file)["spec"]!["template"]!["spec"]!;

    [Fact]
    public void NativeVariant_RunsTheSidecarAsAnInitContainerWithRestartPolicyAlways()
    {
        var pod = PodSpec("statefulset.yaml");
        var init = pod["initContainers"].Items().ToList();
        var sidecar = init.Single(c => (string?)c["name"] == "k8srepl-sidecar");
        Assert.Equal("Always", (string?)sidecar["restartPolicy"]);
        // The schema init container runs (to completion) before the sidecar starts.
        Assert.True(init.IndexOf(sidecar) > init.FindIndex(c => (string?)c["name"] == "init-schema"));
        Assert.DoesNotContain(pod["containers"].Items(), c => (string?)c["name"] == "k8srepl-sidecar");
    }

    [Fact]
    public void ClassicVariant_RunsTheSidecarAsARegularContainer()
    {
        var pod = PodSpec("statefulset-without-native-sidecars.yaml");
        var sidecar = pod["containers"].Items().Single(c => (string?)c["name"] == "k8srepl-sidecar");
        Assert.Null(sidecar["restartPolicy"]);
        Assert.DoesNotContain(pod["initContainers"].Items(), c => (string?)c["name"] == "k8srepl-sidecar");
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Sidecar_HasTheNamedPortsAndProbesOnTheAdminPort(string file)
    {
        var sidecar = PodSpec(file).Container("k8srepl-sidecar");
        var ports = sidecar["ports"].Items().ToDictionary(p => (string)p["name"]!, p => (long)p["containerPort"]!);
        Assert.Equal(8900, ports["k8srepl"]);
        Assert.Equal(8901, ports["k8srepl-admin"]);
        Assert.Equal("/startupz", (string?)sidecar["startupProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/readyz", (string?)sidecar["readinessProbe"]!["httpGet"]!["path"]);
        Assert.Equal("/livez", (string?)sidecar["livenessProbe"]!["httpGet"]!["path"]);
        foreach (var probe in new[] { "startupProbe", "readinessProbe", "livenessProbe" })
        {
            Assert.Equal("k8srepl-admin", (string?)sidecar[probe]!["httpGet"]!["port"]);
        }

        var args = sidecar["args"].Strings().ToList();
        Assert.Equal("0.0.0.0:8900", args[args.IndexOf("--listen") + 1]);
        Assert.Equal("0.0.0.0:8901", args[args.IndexOf("--admin-listen") + 1]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Sidecar_UsesOnlyItsDocumentedFlags_AndGetsItsPodNameFromTheDownwardApi(string file)
    {
        var sidecar = PodSpec(file).Container("k8srepl-sidecar");
        var args = sidecar["args"].Strings().ToList();
        Assert.All(args.Where(a => a.StartsWith("--", StringComparison.Ordinal)), a => Assert.Contains(a, SidecarFlags));
        var podName = sidecar["env"].Items().Single(e => (string?)e["name"] == "POD_NAME");
        Assert.Equal("metadata.name", (string?)podName["valueFrom"]!["fieldRef"]!["fieldPath"]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void Sidecar_ReadsItsOwnEntryOfTheMeshConfigMap_AndTheTokenFromTheMeshSecret(string file)
    {
        var pod = PodSpec(file);
        var sidecar = pod.Container("k8srepl-sidecar");
        var args = sidecar["args"].Strings().ToList();
        var mounts = sidecar["volumeMounts"].Items().ToDictionary(m => (string)m["name"]!, m => (string)m["mountPath"]!);
        var volumes = pod["volumes"].Items().ToDictionary(v => (string)v["name"]!);
        var mesh = Load("replicationmesh.yaml");
        var secret = Load("secret.yaml");

        // Config: <mesh>-sidecar-config mounted, optional (the operator writes it after the pod exists), own <pod>.json.
        var configVolume = volumes["k8srepl-config"]["configMap"]!;
        Assert.Equal($"{mesh.Name()}-sidecar-config", (string?)configVolume["name"]);
        Assert.Equal(true, (bool?)configVolume["optional"]);
        Assert.Equal($"{mounts["k8srepl-config"]}/$(POD_NAME).json", args[args.IndexOf("--config") + 1]);

        // Token: the Secret the mesh names, key "token", passed as a file.
        var secretVolume = volumes["k8srepl-token"]["secret"]!;
        Assert.Equal((string?)mesh["spec"]!["authSecretRef"]!["name"], (string?)secretVolume["secretName"]);
        Assert.Equal(secret.Name(), (string?)secretVolume["secretName"]);
        Assert.NotNull(secret["stringData"]!["token"]);
        // Owner read-only (0400; the pod's fsGroup lets the non-root sidecar read it), and opted in for the operator.
        Assert.Equal(Convert.ToInt64("400", 8), (long?)secretVolume["defaultMode"]);
        Assert.Equal("true", (string?)secret["metadata"]!["labels"]!["replication.k8srepl.dev/mesh-auth"]);
        Assert.NotNull(pod["securityContext"]!["fsGroup"]);
        var item = secretVolume["items"].Items().Single();
        Assert.Equal("token", (string?)item["key"]);
        Assert.Equal($"{mounts["k8srepl-token"]}/{(string?)item["path"]}", args[args.IndexOf("--token-file") + 1]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void AppAndSidecar_ShareTheDatabaseVolume_AtThePathTheMeshNames(string file)
    {
        var pod = PodSpec(file);
        var sidecar = pod.Container("k8srepl-sidecar");
        var app = pod.Container("app");
        var args = sidecar["args"].Strings().ToList();
        var database = args[args.IndexOf("--database") + 1];
        Assert.Equal((string?)Load("replicationmesh.yaml")["spec"]!["database"]!["path"], database);
        Assert.Equal(database, (string?)app["env"].Items().Single(e => (string?)e["name"] == "DATABASE")["value"]);
        string MountOf(JsonObject c) => (string)c["volumeMounts"].Items().Single(m => (string?)m["name"] == "data")["mountPath"]!;
        Assert.Equal(MountOf(sidecar), MountOf(app));
        Assert.StartsWith(MountOf(app) + "/", database, StringComparison.Ordinal);
        Assert.Equal(string.Join(',', Load("replicationmesh.yaml")["spec"]!["database"]!["tables"].Strings()), args[args.IndexOf("--tables") + 1]);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void MeshSelector_SelectsThePodsOfTheStatefulSet(string file)
    {
        var labels = (JsonObject)Load(file)["spec"]!["template"]!["metadata"]!["labels"]!;
        var selector = (JsonObject)Load("replicationmesh.yaml")["spec"]!["selector"]!["matchLabels"]!;
        Assert.NotEmpty(selector);
        foreach (var (key, value) in selector)
        {
            Assert.Equal((string?)value, (string?)labels[key]);
        }
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void EveryContainer_IsRestricted(string file)
    {
        var pod = PodSpec(file);
        Assert.Equal(true, (bool?)pod["securityContext"]!["runAsNonRoot"]);
        Assert.Equal("RuntimeDefault", (string?)pod["securityContext"]!["seccompProfile"]!["type"]);
        foreach (var c in pod["containers"].Items().Concat(pod["initContainers"].Items()))
        {
            var name = (string?)c["name"];
            var security = c["securityContext"] ?? throw new Xunit.Sdk.XunitException($"{name} has no securityContext");
            Assert.True((bool?)security["readOnlyRootFilesystem"] == true, $"{name}: readOnlyRootFilesystem");
            Assert.True((bool?)security["allowPrivilegeEscalation"] == false, $"{name}: allowPrivilegeEscalation");
            Assert.Equal(["ALL"], security["capabilities"]!["drop"].Strings());
            Assert.NotNull(c["resources"]?["requests"]?["memory"]);
            Assert.NotNull(c["resources"]?["limits"]?["memory"]);
        }
    }

    [Fact]
    public void Readme_ExplainsBothVariantsAndTheOrderOfOperations()
    {
        var readme = File.ReadAllText(Path.Combine(RepoPaths.Root, "examples", "README.md"));
        Assert.Contains("statefulset.yaml", readme, StringComparison.Ordinal);
        Assert.Contains("statefulset-without-native-sidecars.yaml", readme, StringComparison.Ordinal);
        Assert.Contains("helm install", readme, StringComparison.Ordinal);
        Assert.Contains("kubectl get rmesh", readme, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Variants))]
    public void RestoreInitContainer_ReadsTheMeshArchive_WithTheMeshCredentials_BeforeTheSchemaIsCreated(string file)
    {
        var pod = PodSpec(file);
        var init = pod["initContainers"].Items().ToList();
        var restore = pod.Container("restore");
        var args = restore["args"].Strings().ToList();
        var backup = Load("replicationmesh.yaml")["spec"]!["backup"]!;
        var mesh = Load("replicationmesh.yaml").Name();
        var secret = Load("backup-secret.yaml");
        var env = restore["env"].Items().ToDictionary(e => (string)e["name"]!);

        // First: init-schema would otherwise create the file and --if-missing would skip the restore.
        Assert.Equal(0, init.IndexOf(restore));
        Assert.Equal("restore", args[0]);
        Assert.Contains("--if-missing", args);
        Assert.Contains("--if-backup-exists", args);
        Assert.Equal(pod.Container("k8srepl-sidecar")["image"]!.GetValue<string>(), (string?)restore["image"]);
        Assert.Equal((string?)backup["url"] + $"/$(POD_NAMESPACE)/{mesh}/", args[args.IndexOf("--from") + 1]);
        Assert.Equal("metadata.namespace", (string?)env["POD_NAMESPACE"]["valueFrom"]!["fieldRef"]!["fieldPath"]);
        Assert.Equal((string?)backup["endpoint"], args[args.IndexOf("--endpoint") + 1]);
        Assert.Equal((string?)Load("replicationmesh.yaml")["spec"]!["database"]!["path"], args[args.IndexOf("--to") + 1]);

        // The same Secret the mesh pushes, opted in for backup, read through the SDK's environment variables.
        Assert.Equal((string?)backup["credentialsSecretRef"]!["name"], secret.Name());
        Assert.Equal("true", (string?)secret["metadata"]!["labels"]!["replication.k8srepl.dev/mesh-backup"]);
        foreach (var (variable, key) in new[] { ("AWS_ACCESS_KEY_ID", "accessKeyId"), ("AWS_SECRET_ACCESS_KEY", "secretAccessKey") })
        {
            var reference = env[variable]["valueFrom"]!["secretKeyRef"]!;
            Assert.Equal((secret.Name(), key), ((string?)reference["name"], (string?)reference["key"]));
            Assert.NotNull(secret["stringData"]![key]);
        }
    }
}
