using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Admission;
using K8sReplication.TestKit.Kube.Resources;
using K8sReplication.TestKit.Kube.Storage;

namespace K8sReplication.TestKit.Kube.Http;

/// <summary>
/// Serves every request: records it, applies injected faults, checks the bearer token, then routes to discovery,
/// OpenAPI or a resource verb. Every failure is written as a <c>kind: Status</c> body.
/// </summary>
internal sealed partial class ApiRequestHandler
{
    private readonly ObjectStore _store;
    private readonly EmulatorFaults _faults;
    private readonly ApiServerEmulatorOptions _options;
    private readonly TimeProvider _time;
    private readonly Func<ISet<string>?> _acceptedTokens;
    private readonly Action<RecordedRequest> _record;
    private readonly PodProxy _podProxy = new();
    private readonly AdmissionChain _admission;
    private static readonly JsonSerializerOptions Output = new() { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping };
    private int _watchConnections;

    public ApiRequestHandler(ObjectStore store, EmulatorFaults faults, ApiServerEmulatorOptions options, TimeProvider time,
        Func<ISet<string>?> acceptedTokens, Action<RecordedRequest> record)
    {
        _store = store;
        _faults = faults;
        _options = options;
        _time = time;
        _acceptedTokens = acceptedTokens;
        _record = record;
        _admission = new AdmissionChain(store, new WebhookDispatcher(store, new WebhookClient(options.ServiceEndpoints)));
    }

    public int WatchConnections => Volatile.Read(ref _watchConnections);

    /// <summary>Cancelled when the listener stops (restart or dispose), so open watches end promptly.</summary>
    public CancellationToken Stopping { get; set; }

    public async Task HandleAsync(HttpContext context)
    {
        var path = context.Request.Path.Value ?? "/";
        var target = RequestTarget.Parse(path);
        var verb = VerbOf(context.Request, target);
        var request = target is null
            ? new RecordedRequest(verb, null, "", path, null, null, null, UserAgent(context), 0)
            : new RecordedRequest(verb, target.Group, target.Version, target.Resource, target.Subresource, target.Namespace, target.Name, UserAgent(context), 0);
        var recorded = 0;
        context.Response.OnStarting(() =>
        {
            if (Interlocked.Exchange(ref recorded, 1) == 0)
            {
                _record(request with { StatusCode = context.Response.StatusCode });
            }

            return Task.CompletedTask;
        });

        try
        {
            if (_faults.CurrentDelay is { } delay && delay > TimeSpan.Zero)
            {
                await Task.Delay(delay, _time, context.RequestAborted);
            }

            if (_faults.TakeFailure(request) is { } failure)
            {
                if (failure == 429)
                {
                    context.Response.Headers.RetryAfter = "1";
                }

                throw ApiErrors.StatusCode(failure);
            }

            Authenticate(context);
            RejectUnsupportedBody(context);
            if (target is null)
            {
                await ServeNonResourceAsync(context, path);
            }
            else if (target.Subresource == "proxy" && target is { Group: "", Resource: "pods", Namespace: { } ns })
            {
                var pods = _store.Catalog.Find("", target.Version, "pods") ?? throw ApiErrors.ResourceNotFound(path);
                var backend = PodProxy.Locate(target.Name!, name => _store.Get(pods, ns, name), target.ProxyPath!, context.Request.QueryString.Value ?? "");
                await _podProxy.ForwardAsync(context, backend, context.RequestAborted);
            }
            else
            {
                await ServeResourceAsync(context, target, verb);
            }
        }
        catch (ApiException e)
        {
            await WriteStatusAsync(context, e);
        }
        catch (Exception e) when (e is JsonException or FormatException or InvalidOperationException or YamlDotNet.Core.YamlException)
        {
            await WriteStatusAsync(context, ApiErrors.BadRequest($"the request body could not be decoded: {e.Message}"));
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client went away; nothing left to answer.
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
            // An emulator bug still answers like the real server does: a 500 Status, never an empty body.
            await WriteStatusAsync(context, new ApiException(500, "InternalError", $"Internal error occurred: {e.GetType().Name}: {e.Message}"));
        }
    }

    /// <summary>JSON (YAML for apply) bodies, plus protobuf creates/updates of the few kinds in <see cref="Protobuf.ProtoSchemas"/>.</summary>
    private static void RejectUnsupportedBody(HttpContext context)
    {
        var contentType = context.Request.ContentType ?? "";
        var protobufWrite = contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase) && context.Request.Method is "POST" or "PUT" or "DELETE";
        if ((contentType.Contains("protobuf", StringComparison.OrdinalIgnoreCase) && !protobufWrite) || contentType.Contains("cbor", StringComparison.OrdinalIgnoreCase))
        {
            throw new ApiException(415, "UnsupportedMediaType", $"the body of the request was in an unknown format - accepted media types include: application/json, application/yaml");
        }
    }

    private void Authenticate(HttpContext context)
    {
        var accepted = _acceptedTokens();
        if (accepted is null)
        {
            return;
        }

        var header = context.Request.Headers.Authorization.ToString();
        var token = header.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase) ? header[7..].Trim() : null;
        if (token is null || !accepted.Contains(token))
        {
            throw new ApiException(401, "Unauthorized", "Unauthorized");
        }
    }

    private async Task ServeNonResourceAsync(HttpContext context, string path)
    {
        if (context.Request.Method != HttpMethods.Get)
        {
            throw ApiErrors.MethodNotAllowed($"the server does not allow this method on the requested resource");
        }

        var catalog = _store.Catalog;
        var segments = path.Trim('/').Split('/', StringSplitOptions.RemoveEmptyEntries);
        JsonNode? document = segments switch
        {
            ["version"] => DiscoveryDocuments.Version(),
            ["api"] => DiscoveryDocuments.CoreVersions(context.Request.Host.Value ?? ""),
            ["api", var version] => DiscoveryDocuments.ResourceList(catalog, "", version),
            ["apis"] => DiscoveryDocuments.GroupList(catalog),
            ["apis", var group] => DiscoveryDocuments.GroupDocument(catalog, group),
            ["apis", var group, var version] => DiscoveryDocuments.ResourceList(catalog, group, version),
            ["healthz"] or ["livez"] or ["readyz"] => null,
            _ => null,
        };
        if (segments is ["healthz"] or ["livez"] or ["readyz"])
        {
            context.Response.ContentType = "text/plain";
            await context.Response.WriteAsync("ok", context.RequestAborted);
            return;
        }

        if (segments is ["openapi", ..])
        {
            await ServeOpenApiAsync(context, segments);
            return;
        }

        if (document is null)
        {
            throw ApiErrors.ResourceNotFound(path);
        }

        await WriteJsonAsync(context, 200, document);
    }

    private static string VerbOf(HttpRequest request, RequestTarget? target)
    {
        var method = request.Method;
        if (target is null)
        {
            return method.ToLowerInvariant();
        }

        var watch = target.WatchPath || IsTrue(request.Query["watch"]);
        return method switch
        {
            "GET" when watch => "watch",
            "GET" => target.Name is null ? "list" : "get",
            "POST" => "create",
            "PUT" => "update",
            "PATCH" => "patch",
            "DELETE" => target.Name is null ? "deletecollection" : "delete",
            _ => method.ToLowerInvariant(),
        };
    }

    private static bool IsTrue(string? value) => value is "1" or "true" or "True";

    private static string UserAgent(HttpContext context) => context.Request.Headers.UserAgent.ToString();

    internal static async Task WriteStatusAsync(HttpContext context, ApiException error)
    {
        if (context.Response.HasStarted)
        {
            return;
        }

        await WriteJsonAsync(context, error.Code, error.ToStatus());
    }

    internal static async Task WriteJsonAsync(HttpContext context, int statusCode, JsonNode body)
    {
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = "application/json";
        var bytes = Encoding.UTF8.GetBytes(body.ToJsonString(Output));
        context.Response.ContentLength = bytes.Length;
        await context.Response.Body.WriteAsync(bytes, context.RequestAborted);
    }

    private static async Task<string> ReadBodyAsync(HttpContext context)
    {
        using var reader = new StreamReader(context.Request.Body, Encoding.UTF8);
        return await reader.ReadToEndAsync(context.RequestAborted);
    }

    /// <summary>A create/update body: JSON, or protobuf from typed clients (kubectl create, helm's release secrets).</summary>
    private static async Task<JsonObject> ReadObjectAsync(HttpContext context)
    {
        if ((context.Request.ContentType ?? "").Contains("protobuf", StringComparison.OrdinalIgnoreCase))
        {
            using var buffer = new MemoryStream();
            await context.Request.Body.CopyToAsync(buffer, context.RequestAborted);
            return Protobuf.ProtobufBody.Decode(buffer.ToArray());
        }

        return ParseObject(await ReadBodyAsync(context), "the request body");
    }

    private static JsonObject ParseObject(string text, string what)
    {
        var node = JsonNode.Parse(text);
        return node as JsonObject ?? throw ApiErrors.BadRequest($"{what} must be a JSON object");
    }

    private ResourceType ResolveType(RequestTarget target, string path)
    {
        var type = _store.Catalog.Find(target.Group, target.Version, target.Resource) ?? throw ApiErrors.ResourceNotFound(path);
        if (!type.Namespaced && target.Namespace is not null)
        {
            throw ApiErrors.ResourceNotFound(path);
        }

        if (target.Subresource is not null and not "status")
        {
            throw ApiErrors.ResourceNotFound(path);
        }

        if (target.Subresource == "status" && !type.HasStatus)
        {
            throw ApiErrors.ResourceNotFound(path);
        }

        return type;
    }
}
