using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using K8sReplication.Contracts.Wire;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Serve;

/// <summary>Writes JSON answers and the uniform JSON error body.</summary>
internal static class ApiResponses
{
    public static Task JsonAsync<T>(HttpContext context, T value, JsonTypeInfo<T> typeInfo, int status = StatusCodes.Status200OK)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json";
        return JsonSerializer.SerializeAsync(context.Response.Body, value, typeInfo, context.RequestAborted);
    }

    /// <summary>
    /// Writes the error body. Every refusal passes here, so this is where echoed input is bounded and control
    /// characters escaped, whatever message or field a thrower built (messages quote input through
    /// <see cref="InputQuote.Quote"/>, which keeps each quote short; this keeps the whole short).
    /// </summary>
    public static Task ErrorAsync(HttpContext context, int status, string message, string? field = null) =>
        JsonAsync(context, new ErrorResponse
        {
            Error = InputQuote.Clean(message, InputQuote.MaxMessageChars),
            Field = field is null ? null : InputQuote.Clean(field, InputQuote.MaxQuotedChars),
        }, WireJsonContext.Default.ErrorResponse, status);
}
