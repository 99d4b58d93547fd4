using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
using K8sReplication.Kube.Client;
using K8sReplication.KubectlPlugin.Cli;

namespace K8sReplication.KubectlPlugin.Cluster;

/// <summary>
/// The user's own connection to the cluster, loaded as kubectl loads it, and every call the plugin makes: the mesh
/// object, its member pods, its auth Secret, and the sidecars reached through the API server's pod proxy
/// (<c>/api/v1/namespaces/NS/pods/POD:PORT/proxy/PATH</c>), so no port-forward and no network path to the pods is
/// needed.
/// </summary>
internal sealed class MeshConnection : IDisposable
{
    private readonly KubeConnection _connection;

    private MeshConnection(KubeConnection connection, string ns)
    {
        _connection = connection;
        Namespace = ns;
    }

    private Kubernetes Kube => _connection.Client;

    public string Namespace { get; }

    /// <summary>
    /// <c>--kubeconfig</c>, else <c>KUBECONFIG</c> (several files merged), else <c>~/.kube/config</c>, else the pod's
    /// service account when running in a cluster; <c>--context</c> picks the context, <c>-n</c> overrides its namespace.
    /// </summary>
    public static MeshConnection Open(PluginArguments args)
    {
        ArgumentNullException.ThrowIfNull(args);
        KubernetesClientConfiguration config;
        try
        {
            config = KubeConnection.LoadConfig(args.Kubeconfig, args.Context);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException)
        {
            throw new PluginException("cannot load the kubeconfig: " + e.Message, e);
        }

        var ns = args.Namespace ?? config.Namespace ?? "default";
        var connection = KubeConnection.Open(config, new KubeConnectionOptions { UserAgent = $"{KubeConnectionOptions.DefaultUserAgent} kubectl-k8srepl" });
        return new MeshConnection(connection, ns);
    }

    public async Task<MeshInfo> GetMeshAsync(string name, CancellationToken cancellationToken)
    {
        object body;
        try
        {
            body = await Kube.CustomObjects.GetNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, name, cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw ApiFailure(e, $"{MeshApi.Singular} \"{name}\"");
        }

        var json = (JsonElement)body;
        var spec = json.TryGetProperty("spec", out var s) ? s.Deserialize(MeshJsonContext.Default.ReplicationMeshSpec) : null;
        var status = json.TryGetProperty("status", out var st) ? st.Deserialize(MeshJsonContext.Default.ReplicationMeshStatus) : null;
        return new MeshInfo(name, Namespace, spec ?? new ReplicationMeshSpec(), status);
    }

    /// <summary>Merge-patches <c>spec.paused</c>: the operator stops (or resumes) pushing configuration.</summary>
    public async Task SetPausedAsync(string name, bool paused, CancellationToken cancellationToken)
    {
        var patch = new V1Patch(paused ? """{"spec":{"paused":true}}""" : """{"spec":{"paused":false}}""", V1Patch.PatchType.MergePatch);
        try
        {
            await Kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, name, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw ApiFailure(e, $"{MeshApi.Singular} \"{name}\"");
        }
    }

    /// <summary>The mesh's bearer token, read from <c>spec.authSecretRef</c> with the user's credentials; null when the mesh has none.</summary>
    public async Task<string?> ReadTokenAsync(MeshInfo mesh, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(mesh);
        if (mesh.Spec.AuthSecretRef is not { } secretRef)
        {
            return null;
        }

        V1Secret secret;
        try
        {
            secret = await Kube.CoreV1.ReadNamespacedSecretAsync(secretRef.Name, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw ApiFailure(e, $"auth Secret \"{secretRef.Name}\" of {MeshApi.Singular} \"{mesh.Name}\"");
        }

        return secret.Data?.TryGetValue(WellKnown.TokenSecretKey, out var token) == true
            ? Encoding.UTF8.GetString(token).Trim()
            : throw new PluginException($"Secret \"{secretRef.Name}\" has no key \"{WellKnown.TokenSecretKey}\"");
    }

    public async Task<V1Pod> GetPodAsync(string pod, CancellationToken cancellationToken)
    {
        try
        {
            return await Kube.CoreV1.ReadNamespacedPodAsync(pod, Namespace, cancellationToken: cancellationToken);
        }
        catch (HttpOperationException e)
        {
            throw ApiFailure(e, $"member pod \"{pod}\"");
        }
    }

    /// <summary><c>GET</c> on a sidecar through the pod proxy, the JSON answer deserialized.</summary>
    public async Task<T> SidecarGetAsync<T>(string pod, int port, string pathAndQuery, string? token, JsonTypeInfo<T> type, CancellationToken cancellationToken)
    {
        var body = await SidecarSendAsync(HttpMethod.Get, pod, port, pathAndQuery, token, cancellationToken);
        try
        {
            return JsonSerializer.Deserialize(body, type)
                ?? throw new PluginException($"pod {pod}: GET {PathOf(pathAndQuery)} answered an empty body");
        }
        catch (JsonException e)
        {
            throw new PluginException($"pod {pod}: GET {PathOf(pathAndQuery)} answered malformed JSON: {e.Message}", e);
        }
    }

    /// <summary><c>POST</c> without a body on a sidecar through the pod proxy; returns the answer's text.</summary>
    public Task<string> SidecarPostAsync(string pod, int port, string path, string? token, CancellationToken cancellationToken) =>
        SidecarSendAsync(HttpMethod.Post, pod, port, path, token, cancellationToken);

    /// <summary>
    /// One request to a sidecar through the pod proxy. The token goes in <see cref="WellKnown.TokenHeader"/>: the API
    /// server consumes <c>Authorization</c> to authenticate the user and does not forward it.
    /// </summary>
    private async Task<string> SidecarSendAsync(HttpMethod method, string pod, int port, string pathAndQuery, string? token, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(pathAndQuery);
        var url = Kube.BaseUri.ToString().TrimEnd('/')
            + $"/api/v1/namespaces/{Uri.EscapeDataString(Namespace)}/pods/{Uri.EscapeDataString(pod)}:{port}/proxy{pathAndQuery}";
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd("application/json");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(WellKnown.TokenHeader, token);
        }

        if (Kube.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        var what = $"{method} {PathOf(pathAndQuery)} on port {port}";
        try
        {
            using var response = await Kube.HttpClient.SendAsync(request, cancellationToken);
            var body = await response.Content.ReadAsStringAsync(cancellationToken);
            return response.IsSuccessStatusCode
                ? body
                : throw new PluginException($"pod {pod}: {what} answered {(int)response.StatusCode} {response.StatusCode}: {Shorten(body)}");
        }
        catch (HttpRequestException e)
        {
            throw new PluginException($"pod {pod}: {what} failed: {e.Message}", e);
        }
    }

    private static string PathOf(string pathAndQuery) => pathAndQuery.Split('?')[0];

    private PluginException ApiFailure(HttpOperationException e, string what) => e.Response.StatusCode switch
    {
        HttpStatusCode.NotFound => new PluginException($"{what} not found in namespace \"{Namespace}\"", e),
        HttpStatusCode.Forbidden => new PluginException($"{what}: forbidden: {Shorten(e.Response.Content)}", e),
        HttpStatusCode.Unauthorized => new PluginException($"{what}: unauthorized (check your kubeconfig credentials)", e),
        _ => new PluginException($"{what}: API server answered {(int)e.Response.StatusCode}: {Shorten(e.Response.Content)}", e),
    };

    private static string Shorten(string? text)
    {
        var trimmed = (text ?? "").Trim().ReplaceLineEndings(" ");
        return trimmed.Length <= 300 ? trimmed : trimmed[..300] + "...";
    }

    public void Dispose() => _connection.Dispose();
}
