using System.Text.Json.Nodes;
using K8sReplication.TestKit.Kube.Schema;

namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>
/// admissionregistration.k8s.io/v1 defaulting and validation of Mutating- and ValidatingWebhookConfigurations, with
/// the real server's field paths and wording: what the dispatcher later relies on (a client config, a known failure
/// policy, a timeout) is guaranteed here, so a stored configuration is always callable.
/// </summary>
internal static class WebhookConfigurationValidation
{
    public const string MutatingStorageKey = "admissionregistration.k8s.io/mutatingwebhookconfigurations";
    public const string ValidatingStorageKey = "admissionregistration.k8s.io/validatingwebhookconfigurations";
    private static readonly string[] FailurePolicies = ["Fail", "Ignore"];
    private static readonly string[] MatchPolicies = ["Equivalent", "Exact"];
    private static readonly string[] SideEffectClasses = ["None", "NoneOnDryRun"];
    private static readonly string[] ReinvocationPolicies = ["IfNeeded", "Never"];
    private static readonly string[] Operations = ["*", "CONNECT", "CREATE", "DELETE", "UPDATE"];
    private static readonly string[] Scopes = ["*", "Cluster", "Namespaced"];
    private static readonly string[] ReviewVersions = ["v1", "v1beta1"];

    public static bool Handles(string storageKey) => storageKey is MutatingStorageKey or ValidatingStorageKey;

    /// <summary>Fills the v1 defaults the real server stores, then returns every validation error.</summary>
    public static List<FieldError> DefaultAndValidate(JsonObject configuration, bool mutating)
    {
        var errors = new List<FieldError>();
        if (configuration["webhooks"] is not JsonArray webhooks)
        {
            return errors;
        }

        var names = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < webhooks.Count; i++)
        {
            var path = $"webhooks[{i}]";
            if (webhooks[i] is not JsonObject hook)
            {
                errors.Add(FieldError.Required(path));
                continue;
            }

            Default(hook, mutating);
            ValidateHook(hook, mutating, path, errors);
            ValidateReviewVersions(hook["admissionReviewVersions"] as JsonArray, path + ".admissionReviewVersions", errors);
            if (Text(hook, "name") is { Length: > 0 } name && !names.Add(name))
            {
                errors.Add(new FieldError(path + ".name", "FieldValueDuplicate", $"Duplicate value: {Quote(name)}"));
            }
        }

        return errors;
    }

    /// <summary>
    /// Why a webhook's <c>caBundle</c> (bytes, so base64 in JSON) cannot be decoded, in Go's words, or null: the real
    /// server refuses such a body as undecodable (400) before validating it.
    /// </summary>
    public static string? UndecodableCaBundle(JsonObject configuration)
    {
        foreach (var hook in (configuration["webhooks"] as JsonArray ?? []).OfType<JsonObject>())
        {
            if (hook["clientConfig"] is JsonObject config && Text(config, "caBundle") is { } bundle
                && !Convert.TryFromBase64String(bundle, new byte[bundle.Length], out _))
            {
                var bad = bundle.TakeWhile(c => char.IsAsciiLetterOrDigit(c) || c is '+' or '/').Count();
                return $"illegal base64 data at input byte {bad}";
            }
        }

        return null;
    }

    private static void Default(JsonObject hook, bool mutating)
    {
        hook["failurePolicy"] ??= "Fail";
        hook["matchPolicy"] ??= "Equivalent";
        hook["namespaceSelector"] ??= new JsonObject();
        hook["objectSelector"] ??= new JsonObject();
        hook["timeoutSeconds"] ??= 10;
        if (mutating)
        {
            hook["reinvocationPolicy"] ??= "Never";
        }

        foreach (var rule in (hook["rules"] as JsonArray ?? []).OfType<JsonObject>())
        {
            rule["scope"] ??= "*";
        }

        if (hook["clientConfig"]?["service"] is JsonObject service)
        {
            service["port"] ??= 443;
        }
    }

    private static void ValidateHook(JsonObject hook, bool mutating, string path, List<FieldError> errors)
    {
        ValidateFullyQualifiedName(Text(hook, "name") ?? "", path + ".name", errors);
        var rules = hook["rules"] as JsonArray ?? [];
        for (var r = 0; r < rules.Count; r++)
        {
            ValidateRule(rules[r] as JsonObject ?? [], $"{path}.rules[{r}]", errors);
        }

        OneOf(hook, "failurePolicy", FailurePolicies, path, errors);
        OneOf(hook, "matchPolicy", MatchPolicies, path, errors);
        if (Text(hook, "sideEffects") is null)
        {
            errors.Add(FieldError.Required(path + ".sideEffects", "must specify one of " + string.Join(", ", SideEffectClasses)));
        }
        else
        {
            OneOf(hook, "sideEffects", SideEffectClasses, path, errors);
        }

        var timeout = hook["timeoutSeconds"] is JsonValue t && t.TryGetValue<int>(out var seconds) ? seconds : 0;
        if (timeout is < 1 or > 30)
        {
            errors.Add(FieldError.Invalid(path + ".timeoutSeconds", hook["timeoutSeconds"]?.ToJsonString() ?? "0", "the timeout value must be between 1 and 30 seconds"));
        }

        ValidateSelector(hook["namespaceSelector"] as JsonObject, path + ".namespaceSelector", errors);
        ValidateSelector(hook["objectSelector"] as JsonObject, path + ".objectSelector", errors);
        if (mutating)
        {
            OneOf(hook, "reinvocationPolicy", ReinvocationPolicies, path, errors);
        }

        ValidateClientConfig(hook["clientConfig"] as JsonObject ?? [], path + ".clientConfig", errors);
    }

    private static void ValidateFullyQualifiedName(string name, string path, List<FieldError> errors)
    {
        if (name.Length == 0)
        {
            errors.Add(FieldError.Required(path));
            return;
        }

        if (!DnsNames.IsSubdomain(name))
        {
            errors.Add(FieldError.Invalid(path, Quote(name), DnsNames.SubdomainMessage));
            return;
        }

        if (name.Split('.').Length < 3)
        {
            errors.Add(FieldError.Invalid(path, Quote(name), "should be a domain with at least three segments separated by dots"));
        }
    }

    private static void ValidateRule(JsonObject rule, string path, List<FieldError> errors)
    {
        var operations = Strings(rule["operations"]);
        if (operations.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".operations"));
        }

        NoOthersWithWildcard(operations, path + ".operations", "operations", errors);
        for (var i = 0; i < operations.Count; i++)
        {
            if (!Operations.Contains(operations[i]))
            {
                errors.Add(FieldError.NotSupported($"{path}.operations[{i}]", Quote(operations[i]), Operations.Select(Quote)));
            }
        }

        var groups = Strings(rule["apiGroups"]);
        if (groups.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".apiGroups"));
        }

        NoOthersWithWildcard(groups, path + ".apiGroups", "API groups", errors);
        var versions = Strings(rule["apiVersions"]);
        if (versions.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".apiVersions"));
        }

        NoOthersWithWildcard(versions, path + ".apiVersions", "API versions", errors);
        var resources = Strings(rule["resources"]);
        if (resources.Count == 0)
        {
            errors.Add(FieldError.Required(path + ".resources"));
        }

        for (var i = 0; i < resources.Count; i++)
        {
            if (resources[i].Length == 0)
            {
                errors.Add(FieldError.Required($"{path}.resources[{i}]"));
            }
        }

        if (resources.Count > 1 && resources.Contains("*/*"))
        {
            errors.Add(FieldError.Invalid(path + ".resources", GoStrings(resources), "if '*/*' is present, must not specify other resources"));
        }

        if (resources.Contains("*") && resources.Any(r => r != "*" && !r.Contains('/', StringComparison.Ordinal)))
        {
            errors.Add(FieldError.Invalid(path + ".resources", GoStrings(resources), "if '*' is present, must not specify other resources without subresources"));
        }

        if (Text(rule, "scope") is { } scope && !Scopes.Contains(scope))
        {
            errors.Add(FieldError.NotSupported(path + ".scope", Quote(scope), Scopes.Select(Quote)));
        }
    }

    private static void NoOthersWithWildcard(List<string> values, string path, string what, List<FieldError> errors)
    {
        if (values.Count > 1 && values.Contains("*"))
        {
            errors.Add(FieldError.Invalid(path, GoStrings(values), $"if '*' is present, must not specify other {what}"));
        }
    }

    private static void ValidateSelector(JsonObject? selector, string path, List<FieldError> errors)
    {
        var expressions = selector?["matchExpressions"] as JsonArray ?? [];
        for (var i = 0; i < expressions.Count; i++)
        {
            var expression = expressions[i] as JsonObject ?? [];
            var at = $"{path}.matchExpressions[{i}]";
            var values = Strings(expression["values"]);
            switch (Text(expression, "operator"))
            {
                case "In" or "NotIn" when values.Count == 0:
                    errors.Add(FieldError.Required(at + ".values", "must be specified when `operator` is 'In' or 'NotIn'"));
                    break;
                case "Exists" or "DoesNotExist" when values.Count > 0:
                    errors.Add(FieldError.Forbidden(at + ".values", "may not be specified when `operator` is 'Exists' or 'DoesNotExist'"));
                    break;
                case "In" or "NotIn" or "Exists" or "DoesNotExist":
                    break;
                case var other:
                    errors.Add(FieldError.Invalid(at + ".operator", Quote(other ?? ""), "not a valid selector operator"));
                    break;
            }
        }
    }

    private static void ValidateClientConfig(JsonObject config, string path, List<FieldError> errors)
    {
        var url = Text(config, "url");
        var service = config["service"] as JsonObject;
        if ((url is null) == (service is null))
        {
            errors.Add(FieldError.Required(path, "exactly one of url or service is required"));
            return;
        }

        if (url is not null)
        {
            const string Form = "; desired format: https://host[/path]";
            if (!Uri.TryCreate(url, UriKind.Absolute, out var uri))
            {
                errors.Add(FieldError.Required(path + ".url", "url must be a valid URL: " + Quote(url) + Form));
                return;
            }

            if (uri.Scheme != "https")
            {
                errors.Add(FieldError.Invalid(path + ".url", Quote(uri.Scheme), "'https' is the only allowed URL scheme" + Form));
            }

            if (uri.UserInfo.Length > 0)
            {
                errors.Add(FieldError.Invalid(path + ".url", Quote(uri.UserInfo), "user information is not permitted in the URL"));
            }

            if (uri.Fragment.Length > 0)
            {
                errors.Add(FieldError.Invalid(path + ".url", Quote(uri.Fragment.TrimStart('#')), "fragments are not permitted in the URL"));
            }

            if (uri.Query.Length > 0)
            {
                errors.Add(FieldError.Invalid(path + ".url", Quote(uri.Query.TrimStart('?')), "query parameters are not permitted in the URL"));
            }

            return;
        }

        if (Text(service!, "name") is not { Length: > 0 })
        {
            errors.Add(FieldError.Required(path + ".service.name"));
        }

        if (Text(service!, "namespace") is not { Length: > 0 })
        {
            errors.Add(FieldError.Required(path + ".service.namespace"));
        }

        var port = service!["port"] is JsonValue p && p.TryGetValue<int>(out var number) ? number : 0;
        if (port is < 1 or > 65535)
        {
            errors.Add(FieldError.Invalid(path + ".service.port", service["port"]?.ToJsonString() ?? "0", "port is not valid: must be between 1 and 65535, inclusive"));
        }

        if (Text(service, "path") is { Length: > 1 } servicePath && !servicePath.StartsWith('/'))
        {
            errors.Add(FieldError.Invalid(path + ".service.path", Quote(servicePath), "must start with a '/'"));
        }
    }

    private static void ValidateReviewVersions(JsonArray? versions, string path, List<FieldError> errors)
    {
        var list = Strings(versions);
        if (list.Count == 0)
        {
            errors.Add(FieldError.Required(path, "must specify one of " + string.Join(", ", ReviewVersions)));
            return;
        }

        var seen = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < list.Count; i++)
        {
            if (!seen.Add(list[i]))
            {
                errors.Add(FieldError.Invalid($"{path}[{i}]", Quote(list[i]), "duplicate version"));
            }
        }

        if (!list.Any(ReviewVersions.Contains))
        {
            errors.Add(FieldError.Invalid(path, GoStrings(list), "must include at least one of " + string.Join(", ", ReviewVersions)));
        }
    }

    private static void OneOf(JsonObject hook, string field, string[] allowed, string path, List<FieldError> errors)
    {
        if (Text(hook, field) is { } value && !allowed.Contains(value))
        {
            errors.Add(FieldError.NotSupported($"{path}.{field}", Quote(value), allowed.Select(Quote)));
        }
    }

    internal static string? Text(JsonObject obj, string field) =>
        obj[field] is JsonValue v && v.TryGetValue<string>(out var s) ? s : null;

    internal static List<string> Strings(JsonNode? node) =>
        node is JsonArray array ? [.. array.Select(n => n is JsonValue v && v.TryGetValue<string>(out var s) ? s : "")] : [];

    private static string Quote(string value) => "\"" + value + "\"";

    /// <summary>A string list the way the real server prints one in a message: <c>[]string{"a", "b"}</c>.</summary>
    private static string GoStrings(IEnumerable<string> values) => "[]string{" + string.Join(", ", values.Select(Quote)) + "}";
}
