using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Selection;
using static K8sReplication.TestKit.Kube.Resources.WebhookConfigurationValidation;

namespace K8sReplication.TestKit.Kube.Admission;

/// <summary>
/// Whether a webhook applies to a write, in the real server's order: namespaceSelector (against the namespace's
/// labels; cluster-scoped objects other than namespaces always pass), objectSelector (new or old object's labels),
/// then the rules (scope, operation, API group, version, resource with <c>res/sub</c> and <c>*</c> wildcards).
/// </summary>
internal static class WebhookMatcher
{
    public static bool Matches(JsonObject hook, AdmissionAttributes request, Func<string, JsonObject?> namespaceLabels) =>
        NamespaceMatches(hook, request, namespaceLabels)
        && ObjectMatches(hook, request)
        && (hook["rules"] as JsonArray ?? []).OfType<JsonObject>().Any(rule => RuleMatches(rule, request));

    private static bool NamespaceMatches(JsonObject hook, AdmissionAttributes request, Func<string, JsonObject?> namespaceLabels)
    {
        var isNamespace = IsNamespaceResource(request);
        if (string.IsNullOrEmpty(request.Namespace) && !isNamespace)
        {
            return true;
        }

        var selector = LabelSelector.FromObject(hook["namespaceSelector"] as JsonObject);
        if (selector.IsEmpty)
        {
            return true;
        }

        // A namespace being written is matched on its new labels; anything else on its namespace's stored labels.
        var labels = isNamespace && request.Subresource is null
            ? request.Object["metadata"]?["labels"] as JsonObject
            : namespaceLabels(request.Namespace!);
        return selector.MatchesLabels(labels);
    }

    private static bool ObjectMatches(JsonObject hook, AdmissionAttributes request)
    {
        var selector = LabelSelector.FromObject(hook["objectSelector"] as JsonObject);
        return selector.IsEmpty || selector.Matches(request.Object) || (request.OldObject is { } old && selector.Matches(old));
    }

    private static bool RuleMatches(JsonObject rule, AdmissionAttributes request)
    {
        var scopeMatches = Text(rule, "scope") switch
        {
            "Namespaced" => !IsNamespaceResource(request) && !string.IsNullOrEmpty(request.Namespace),
            "Cluster" => IsNamespaceResource(request) || string.IsNullOrEmpty(request.Namespace),
            _ => true,
        };
        return scopeMatches
            && ExactOrWildcard(Strings(rule["operations"]), request.Operation)
            && ExactOrWildcard(Strings(rule["apiGroups"]), request.Type.Group)
            && ExactOrWildcard(Strings(rule["apiVersions"]), request.Type.Version)
            && Strings(rule["resources"]).Any(entry =>
            {
                var slash = entry.IndexOf('/', StringComparison.Ordinal);
                var (resource, subresource) = slash < 0 ? (entry, "") : (entry[..slash], entry[(slash + 1)..]);
                return (resource == "*" || resource == request.Type.Plural) && (subresource == "*" || subresource == (request.Subresource ?? ""));
            });
    }

    private static bool ExactOrWildcard(List<string> allowed, string value) => allowed.Contains("*") || allowed.Contains(value);

    private static bool IsNamespaceResource(AdmissionAttributes request) => request.Type is { Group: "", Plural: "namespaces" };
}
