using System.Net;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Kube.Events;
using K8sReplication.TestKit.Kube;
using static K8sReplication.TestKit.Tests.Kube.Objects;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>
/// One Event store seen through events.k8s.io/v1 and core v1, as kube-apiserver serves it, and what the real kubectl
/// shows of it (<c>kubectl get events</c>, the Events section of <c>kubectl describe</c>).
/// </summary>
public sealed class ApiServerEmulatorEventTests : IAsyncLifetime
{
    private const string CoreEvents = "/api/v1/namespaces/default/events";
    private const string NewEvents = "/apis/events.k8s.io/v1/namespaces/default/events";
    private ApiServerEmulator _emulator = null!;
    private KubeHttp _http = null!;
    private string _kubeconfig = null!;

    public async Task InitializeAsync()
    {
        _emulator = await ApiServerEmulator.StartAsync();
        _http = new KubeHttp(_emulator.Url);
        _kubeconfig = _emulator.WriteKubeconfig(Path.Combine(Directory.CreateTempSubdirectory("k8srepl-events-").FullName, "config"));
        await InstallMeshCrdAsync(_http);
    }

    public async Task DisposeAsync()
    {
        _http.Dispose();
        await _emulator.DisposeAsync();
        Directory.Delete(Path.GetDirectoryName(_kubeconfig)!, recursive: true);
    }

    [Fact]
    public async Task EventsV1Event_IsListedByCoreV1_WithTheFieldsMapped()
    {
        var mesh = await _http.CreateAsync(Meshes, Mesh("orders"));
        await _http.CreateAsync(NewEvents, new JsonObject
        {
            ["apiVersion"] = "events.k8s.io/v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = "orders.1" },
            ["eventTime"] = "2030-01-02T03:04:05.000006Z",
            ["reportingController"] = "replication.k8srepl.dev/operator",
            ["reportingInstance"] = "operator-0",
            ["action"] = "Reconcile",
            ["reason"] = "MemberJoined",
            ["type"] = "Normal",
            ["note"] = "pod orders-0 joined",
            ["regarding"] = MeshReference(mesh),
            ["series"] = new JsonObject { ["count"] = 2, ["lastObservedTime"] = "2030-01-02T03:05:00.000000Z" },
        });

        var (_, core) = await _http.GetAsync($"{CoreEvents}/orders.1");
        Assert.Equal("v1", core["apiVersion"]!.GetValue<string>());
        Assert.Equal("pod orders-0 joined", core["message"]!.GetValue<string>());
        Assert.Equal("orders", core["involvedObject"]!["name"]!.GetValue<string>());
        Assert.Equal("ReplicationMesh", core["involvedObject"]!["kind"]!.GetValue<string>());
        Assert.Equal("replication.k8srepl.dev/operator", core["reportingComponent"]!.GetValue<string>());
        Assert.Equal(2, core["series"]!["count"]!.GetValue<int>());
        Assert.Null(core["note"]);
        Assert.Null(core["regarding"]);

        // The selectors kubectl describe sends (core) and their events.k8s.io counterparts.
        var describe = $"involvedObject.name=orders,involvedObject.namespace=default,involvedObject.kind=ReplicationMesh,involvedObject.uid={Uid(mesh)}";
        Assert.Single((await _http.GetAsync($"{CoreEvents}?fieldSelector={Uri.EscapeDataString(describe)}")).Body["items"]!.AsArray());
        Assert.Empty((await _http.GetAsync($"{CoreEvents}?fieldSelector=involvedObject.name%3Dother")).Body["items"]!.AsArray());
        var regarding = $"regarding.name=orders,regarding.kind=ReplicationMesh,regarding.uid={Uid(mesh)},reportingController=replication.k8srepl.dev/operator";
        var (_, selected) = await _http.GetAsync($"{NewEvents}?fieldSelector={Uri.EscapeDataString(regarding)}");
        Assert.Equal("pod orders-0 joined", Assert.Single(selected["items"]!.AsArray())!["note"]!.GetValue<string>());
        var (status, rejected) = await _http.GetAsync($"{NewEvents}?fieldSelector=note%3Dx");
        Assert.Equal(HttpStatusCode.BadRequest, status);
        Assert.Equal("field label not supported: note", rejected["message"]!.GetValue<string>());
    }

    [Fact]
    public async Task CoreV1Event_IsReadThroughEventsV1_WithDeprecatedFieldsAndPatchableSeries()
    {
        await _http.CreateAsync(CoreEvents, new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "Event",
            ["metadata"] = new JsonObject { ["name"] = "p.1" },
            ["involvedObject"] = new JsonObject { ["kind"] = "Pod", ["name"] = "p", ["namespace"] = "default" },
            ["message"] = "Started container",
            ["reason"] = "Started",
            ["type"] = "Normal",
            ["source"] = new JsonObject { ["component"] = "kubelet", ["host"] = "node-1" },
            ["firstTimestamp"] = "2030-01-02T03:04:05Z",
            ["lastTimestamp"] = "2030-01-02T03:04:06Z",
            ["count"] = 3,
        });

        var (_, ev) = await _http.GetAsync($"{NewEvents}/p.1");
        Assert.Equal("events.k8s.io/v1", ev["apiVersion"]!.GetValue<string>());
        Assert.Equal("Started container", ev["note"]!.GetValue<string>());
        Assert.Equal("p", ev["regarding"]!["name"]!.GetValue<string>());
        Assert.Equal("kubelet", ev["deprecatedSource"]!["component"]!.GetValue<string>());
        Assert.Equal("2030-01-02T03:04:05Z", ev["deprecatedFirstTimestamp"]!.GetValue<string>());
        Assert.Equal(3, ev["deprecatedCount"]!.GetValue<int>());
        Assert.Null(ev["message"]);

        // A merge patch through events.k8s.io speaks its field names; core sees the result.
        var (patchStatus, _) = await _http.PatchAsync($"{NewEvents}/p.1", """{"note":"Restarted","series":{"count":4,"lastObservedTime":"2030-01-02T03:09:00.000000Z"}}""");
        Assert.Equal(HttpStatusCode.OK, patchStatus);
        var (_, core) = await _http.GetAsync($"{CoreEvents}/p.1");
        Assert.Equal("Restarted", core["message"]!.GetValue<string>());
        Assert.Equal(4, core["series"]!["count"]!.GetValue<int>());
        Assert.Single((await _http.GetAsync($"{NewEvents}?fieldSelector=source%3Dkubelet")).Body["items"]!.AsArray());
    }

    [Fact]
    public async Task OperatorStyleEvent_ShowsInKubectlGetEvents_AndKubectlDescribe()
    {
        using var kubectl = new Kubectl(_kubeconfig);
        var mesh = await _http.CreateAsync(Meshes, Mesh("orders"));
        using var client = new Kubernetes(KubernetesClientConfiguration.BuildConfigFromConfigFile(_kubeconfig));
        var recorder = new EventRecorder(client, new EventRecorderOptions { ReportingController = "replication.k8srepl.dev/operator", ReportingInstance = "operator-0" });
        var reference = new V1ObjectReference
        {
            ApiVersion = "replication.k8srepl.dev/v1alpha1",
            Kind = "ReplicationMesh",
            Name = "orders",
            NamespaceProperty = "default",
            Uid = Uid(mesh),
            ResourceVersion = Rv(mesh),
        };
        Assert.Equal(EventRecordResult.Created, await recorder.RecordAsync(reference, EventRecorder.Warning, "MemberLagging", "Reconcile", "pod orders-1 is 40s behind"));

        var get = await kubectl.RunAsync("get", "events");
        Assert.True(get.ExitCode == 0, get.ToString());
        var lines = get.Stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(["LAST", "SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"], lines[0].Split(' ', StringSplitOptions.RemoveEmptyEntries));
        var row = Assert.Single(lines[1..]);
        Assert.Contains("Warning   MemberLagging   replicationmesh/orders   pod orders-1 is 40s behind", row, StringComparison.Ordinal);

        var describe = await kubectl.RunAsync("describe", "rmesh", "orders");
        Assert.True(describe.ExitCode == 0, describe.ToString());
        var events = describe.Stdout[describe.Stdout.IndexOf("Events:", StringComparison.Ordinal)..];
        Assert.DoesNotContain("<none>", events, StringComparison.Ordinal);
        Assert.Contains("Warning  MemberLagging", events, StringComparison.Ordinal);
        Assert.Contains("replication.k8srepl.dev/operator", events, StringComparison.Ordinal);
        Assert.Contains("pod orders-1 is 40s behind", events, StringComparison.Ordinal);
    }

    private static JsonObject MeshReference(JsonObject mesh) => new()
    {
        ["apiVersion"] = "replication.k8srepl.dev/v1alpha1",
        ["kind"] = "ReplicationMesh",
        ["name"] = Name(mesh),
        ["namespace"] = "default",
        ["uid"] = Uid(mesh),
    };
}
