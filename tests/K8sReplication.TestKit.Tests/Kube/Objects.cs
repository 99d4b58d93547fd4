using System.Text.Json.Nodes;

namespace K8sReplication.TestKit.Tests.Kube;

/// <summary>Small builders and readers for the JSON objects the tests send and inspect.</summary>
internal static class Objects
{
    public const string ConfigMaps = "/api/v1/namespaces/default/configmaps";
    public const string Pods = "/api/v1/namespaces/default/pods";
    public const string Crds = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";
    public const string Meshes = "/apis/replication.k8srepl.dev/v1alpha1/namespaces/default/replicationmeshes";

    public static JsonObject ConfigMap(string name, Dictionary<string, string>? labels = null, string value = "v")
    {
        var meta = new JsonObject { ["name"] = name };
        if (labels is not null)
        {
            meta["labels"] = new JsonObject(labels.Select(l => KeyValuePair.Create(l.Key, (JsonNode?)l.Value)));
        }

        return new JsonObject
        {
            ["apiVersion"] = "v1",
            ["kind"] = "ConfigMap",
            ["metadata"] = meta,
            ["data"] = new JsonObject { ["key"] = value },
        };
    }

    public static JsonObject Mesh(string name, JsonObject? spec = null) => new()
    {
        ["apiVersion"] = "replication.k8srepl.dev/v1alpha1",
        ["kind"] = "ReplicationMesh",
        ["metadata"] = new JsonObject { ["name"] = name },
        ["spec"] = spec ?? new JsonObject { ["selector"] = new JsonObject { ["matchLabels"] = new JsonObject { ["app"] = name } } },
    };

    public static string Rv(JsonObject obj) => obj["metadata"]!["resourceVersion"]!.GetValue<string>();

    public static long RvNumber(JsonObject obj) => long.Parse(Rv(obj));

    public static long Generation(JsonObject obj) => obj["metadata"]!["generation"]!.GetValue<long>();

    public static string Uid(JsonObject obj) => obj["metadata"]!["uid"]!.GetValue<string>();

    public static string Name(JsonNode obj) => obj["metadata"]!["name"]!.GetValue<string>();

    public static JsonObject OwnerRef(JsonObject owner, string kind = "ConfigMap", string apiVersion = "v1") => new()
    {
        ["apiVersion"] = apiVersion,
        ["kind"] = kind,
        ["name"] = Name(owner),
        ["uid"] = Uid(owner),
    };

    /// <summary>Creates the test ReplicationMesh CRD and waits until its resources are served.</summary>
    public static async Task InstallMeshCrdAsync(KubeHttp http)
    {
        var crd = (JsonObject)K8sReplication.TestKit.Tests.Kube.TestManifests.MeshCrdJson();
        await http.CreateAsync(Crds, crd);
        var (status, _) = await http.GetAsync(Meshes);
        Assert.Equal(System.Net.HttpStatusCode.OK, status);
    }
}
