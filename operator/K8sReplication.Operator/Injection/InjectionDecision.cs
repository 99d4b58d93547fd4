using System.Text.Json.Nodes;

namespace K8sReplication.Operator.Injection;

/// <summary>
/// The webhook's answer for one pod: allowed with a JSON patch (empty when the pod is left as it is), or denied with
/// a message naming the annotation, label or volume at fault.
/// </summary>
internal sealed record InjectionDecision(bool Allowed, JsonArray Patch, string? Message, int Code)
{
    public static InjectionDecision Unchanged() => new(true, [], null, 200);

    public static InjectionDecision Patched(JsonArray patch, string mesh) => new(true, patch, mesh, 200);

    /// <summary>Refused: the pod asks for something wrong (400).</summary>
    public static InjectionDecision Denied(string message) => new(false, [], message, 400);

    /// <summary>Refused for now: the operator cannot decide yet; the same pod may pass later (503).</summary>
    public static InjectionDecision Unavailable(string message) => new(false, [], message, 503);
}
