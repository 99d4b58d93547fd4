using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using k8s;
using k8s.Models;
using K8sReplication.Operator.Injection;
using K8sReplication.Operator.Mesh;

namespace K8sReplication.Operator.Webhook;

/// <summary>
/// <c>POST /inject</c>: reads an AdmissionReview v1 for a pod, decides with <see cref="SidecarInjector"/> from the
/// operator's mesh cache, and answers an AdmissionReview v1 with the request's uid and, when the pod changes, a base64
/// JSON patch. A body that is not an AdmissionReview is a 400 (the API server then applies the failurePolicy).
/// </summary>
internal sealed partial class AdmissionReviewHandler(
    Func<string, IReadOnlyList<ReplicationMesh>> meshes, Func<bool> meshesKnown, InjectionOptions options, ILogger logger)
{
    /// <summary>Largest AdmissionReview read: a pod is at most ~1.5 MiB in etcd, sent twice at most (object, oldObject).</summary>
    public const long MaxBodyBytes = 4 * 1024 * 1024;

    public async Task HandleAsync(HttpContext context)
    {
        if (context.Features.Get<Microsoft.AspNetCore.Http.Features.IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = MaxBodyBytes;
        }

        JsonNode? review;
        try
        {
            review = await JsonNode.ParseAsync(context.Request.Body, cancellationToken: context.RequestAborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is JsonException or BadHttpRequestException)
        {
            await BadRequestAsync(context, "the body is not an AdmissionReview: " + e.Message).ConfigureAwait(false);
            return;
        }

        var request = review?["request"] as JsonObject;
        if (request?["uid"]?.GetValueKind() != JsonValueKind.String)
        {
            await BadRequestAsync(context, "the body is not an AdmissionReview v1 with request.uid").ConfigureAwait(false);
            return;
        }

        var response = Review(request);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(new JsonObject
        {
            ["apiVersion"] = "admission.k8s.io/v1",
            ["kind"] = "AdmissionReview",
            ["response"] = response,
        }.ToJsonString(), context.RequestAborted).ConfigureAwait(false);
    }

    /// <summary>The AdmissionReview response for one request (pure but for logging).</summary>
    internal JsonObject Review(JsonObject request)
    {
        var uid = (string)request["uid"]!;
        var isPodCreate = (string?)request["kind"]?["kind"] == "Pod" && (string?)request["operation"] == "CREATE" && request["object"] is JsonObject;
        if (!isPodCreate)
        {
            return new JsonObject { ["uid"] = uid, ["allowed"] = true };
        }

        V1Pod pod;
        try
        {
            pod = KubernetesJson.Deserialize<V1Pod>(request["object"]!.ToJsonString());
        }
        catch (JsonException e)
        {
            return Denial(uid, InjectionDecision.Denied("request.object is not a pod: " + e.Message));
        }

        var @namespace = (string?)request["namespace"] ?? pod.Metadata?.NamespaceProperty ?? "default";
        var name = pod.Metadata?.Name ?? pod.Metadata?.GenerateName + "*";
        var decision = SidecarInjector.Decide(pod, @namespace, meshes(@namespace), meshesKnown(), options);
        if (!decision.Allowed)
        {
            LogDenied(logger, @namespace, name, decision.Message!);
            return Denial(uid, decision);
        }

        var response = new JsonObject { ["uid"] = uid, ["allowed"] = true };
        if (decision.Patch.Count > 0)
        {
            LogInjected(logger, @namespace, name, decision.Message!);
            response["patchType"] = "JSONPatch";
            response["patch"] = Convert.ToBase64String(Encoding.UTF8.GetBytes(decision.Patch.ToJsonString()));
        }

        return response;
    }

    private static JsonObject Denial(string uid, InjectionDecision decision) => new()
    {
        ["uid"] = uid,
        ["allowed"] = false,
        ["status"] = new JsonObject
        {
            ["code"] = decision.Code,
            ["reason"] = decision.Code == 503 ? "ServiceUnavailable" : "BadRequest",
            ["message"] = decision.Message,
        },
    };

    private static async Task BadRequestAsync(HttpContext context, string message)
    {
        context.Response.StatusCode = StatusCodes.Status400BadRequest;
        context.Response.ContentType = "text/plain";
        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Injected the sidecar into pod {Namespace}/{Pod} (mesh {Mesh})")]
    private static partial void LogInjected(ILogger logger, string @namespace, string pod, string mesh);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused pod {Namespace}/{Pod}: {Reason}")]
    private static partial void LogDenied(ILogger logger, string @namespace, string pod, string reason);
}
