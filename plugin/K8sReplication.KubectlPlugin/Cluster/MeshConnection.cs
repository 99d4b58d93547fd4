using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using k8s;
using k8s.Autorest;
using k8s.KubeConfigModels;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Contracts.Mesh;
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
    private readonly Kubernetes _kube;

    private MeshConnection(Kubernetes kube, string ns)
    {
        _kube = kube;
        Namespace = ns;
    }

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
            config = Configuration(args);
        }
        catch (Exception e) when (e is k8s.Exceptions.KubeConfigException or IOException)
        {
            throw new PluginException("cannot load the kubeconfig: " + e.Message, e);
        }

        var ns = args.Namespace ?? config.Namespace ?? "default";
        return new MeshConnection(new Kubernetes(config), ns);
    }

    private static KubernetesClientConfiguration Configuration(PluginArguments args)
    {
        if (args.Kubeconfig is not null)
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(args.Kubeconfig, args.Context);
        }

        var files = (Environment.GetEnvironmentVariable("KUBECONFIG") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(f => new FileInfo(f))
            .Where(f => f.Exists)
            .ToArray();
        if (files.Length > 0)
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigObject(Merge(files), args.Context);
        }

        if (File.Exists(KubernetesClientConfiguration.KubeConfigDefaultLocation))
        {
            return KubernetesClientConfiguration.BuildConfigFromConfigFile(KubernetesClientConfiguration.KubeConfigDefaultLocation, args.Context);
        }

        return KubernetesClientConfiguration.IsInCluster()
            ? KubernetesClientConfiguration.InClusterConfig()
            : throw new PluginException("no kubeconfig: pass --kubeconfig, set KUBECONFIG or create ~/.kube/config");
    }

    /// <summary>
    /// Several <c>KUBECONFIG</c> files merged as kubectl merges them: the first file that names a cluster, user or
    /// context (or sets current-context) wins.
    /// </summary>
    private static K8SConfiguration Merge(FileInfo[] files)
    {
        var configs = files.Select(f => KubernetesClientConfiguration.LoadKubeConfig(f, useRelativePaths: true)).ToList();
        return new K8SConfiguration
        {
            ApiVersion = "v1",
            Kind = "Config",
            CurrentContext = configs.Select(c => c.CurrentContext).FirstOrDefault(c => !string.IsNullOrEmpty(c)),
            Clusters = configs.SelectMany(c => c.Clusters ?? []).DistinctBy(c => c.Name).ToList(),
            Users = configs.SelectMany(c => c.Users ?? []).DistinctBy(u => u.Name).ToList(),
            Contexts = configs.SelectMany(c => c.Contexts ?? []).DistinctBy(c => c.Name).ToList(),
        };
    }

    public async Task<MeshInfo> GetMeshAsync(string name, CancellationToken cancellationToken)
    {
        object body;
        try
        {
            body = await _kube.CustomObjects.GetNamespacedCustomObjectAsync(MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, name, cancellationToken);
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
            await _kube.CustomObjects.PatchNamespacedCustomObjectAsync(patch, MeshApi.Group, MeshApi.Version, Namespace, MeshApi.Plural, name, cancellationToken: cancellationToken);
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
            secret = await _kube.CoreV1.ReadNamespacedSecretAsync(secretRef.Name, Namespace, cancellationToken: cancellationToken);
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
            return await _kube.CoreV1.ReadNamespacedPodAsync(pod, Namespace, cancellationToken: cancellationToken);
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
        var url = _kube.BaseUri.ToString().TrimEnd('/')
            + $"/api/v1/namespaces/{Uri.EscapeDataString(Namespace)}/pods/{Uri.EscapeDataString(pod)}:{port}/proxy{pathAndQuery}";
        using var request = new HttpRequestMessage(method, url);
        request.Headers.Accept.ParseAdd("application/json");
        if (token is not null)
        {
            request.Headers.TryAddWithoutValidation(WellKnown.TokenHeader, token);
        }

        if (_kube.Credentials is { } credentials)
        {
            await credentials.ProcessHttpRequestAsync(request, cancellationToken);
        }

        var what = $"{method} {PathOf(pathAndQuery)} on port {port}";
        try
        {
            using var response = await _kube.HttpClient.SendAsync(request, cancellationToken);
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

    public void Dispose() => _kube.Dispose();
}
