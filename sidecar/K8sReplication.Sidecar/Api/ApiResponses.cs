using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using K8sReplication.Contracts.Wire;

namespace K8sReplication.Sidecar.Api;

/// <summary>Writes JSON answers and the uniform JSON error body.</summary>
internal static class ApiResponses
{
    public static Task JsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }

    public static Task ErrorAsync(HttpContext context, int status, string message, string? field = null) =>
        JsonAsync(context, new ErrorResponse { Error = message, Field = field }, WireJsonContext.Default.ErrorResponse, status);
}
