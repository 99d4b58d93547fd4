using k8s.Models;

namespace K8sReplication.Operator.Injection;

/// <summary>
/// What a pod asks for through its labels and annotations (pure). A pod opts in with <see cref="InjectionKeys.Inject"/>
/// "true" as a label or an annotation; then <see cref="InjectionKeys.Database"/> is required and every annotation under
/// <see cref="InjectionKeys.Prefix"/> must be known. Every refusal names the key at fault.
/// </summary>
internal sealed record InjectionRequest(string Database, string? Mesh)
{
    /// <summary>The request, or null with <paramref name="error"/> null when the pod does not opt in, or with the refusal.</summary>
    public static InjectionRequest? Read(V1ObjectMeta metadata, out string? error)
    {
        error = null;
        var labels = metadata.Labels ?? new Dictionary<string, string>();
        var annotations = metadata.Annotations ?? new Dictionary<string, string>();
        var label = OptIn(labels, "label", ref error);
        var annotation = OptIn(annotations, "annotation", ref error);
        if (error is not null)
        {
            return null;
        }

        if (label is not null && annotation is not null && label != annotation)
        {
            error = $"label {InjectionKeys.Inject}=\"{labels[InjectionKeys.Inject]}\" and annotation {InjectionKeys.Inject}=\"{annotations[InjectionKeys.Inject]}\" contradict each other";
            return null;
        }

        if ((label ?? annotation) != true)
        {
            return null;
        }

        foreach (var key in annotations.Keys.Order(StringComparer.Ordinal))
        {
            if (key.StartsWith(InjectionKeys.Prefix, StringComparison.Ordinal) && !InjectionKeys.KnownAnnotations.Contains(key))
            {
                error = $"annotation {Quote(key)}: unknown (known: {string.Join(", ", InjectionKeys.KnownAnnotations)})";
                return null;
            }
        }

        if (!annotations.TryGetValue(InjectionKeys.Database, out var database))
        {
            error = $"annotation {InjectionKeys.Database}: required with {InjectionKeys.Inject}=\"true\" (the SQLite file's absolute path, e.g. /data/app.db)";
            return null;
        }

        if (DatabasePathError(database) is { } problem)
        {
            error = $"annotation {InjectionKeys.Database}: \"{Quote(database)}\" {problem}";
            return null;
        }

        string? mesh = null;
        if (annotations.TryGetValue(InjectionKeys.Mesh, out var named))
        {
            if (!IsDnsSubdomain(named))
            {
                error = $"annotation {InjectionKeys.Mesh}: \"{Quote(named)}\" is not a ReplicationMesh name";
                return null;
            }

            mesh = named;
        }

        return new InjectionRequest(database, mesh);
    }

    /// <summary>The folder of the database file (<c>/data</c> for <c>/data/app.db</c>).</summary>
    public string DatabaseFolder => Database.LastIndexOf('/') is var slash and > 0 ? Database[..slash] : "/";

    private static bool? OptIn(IDictionary<string, string> map, string what, ref string? error)
    {
        if (!map.TryGetValue(InjectionKeys.Inject, out var value))
        {
            return null;
        }

        switch (value)
        {
            case "true":
                return true;
            case "false":
                return false;
            default:
                error ??= $"{what} {InjectionKeys.Inject}: \"{Quote(value)}\" is not \"true\" or \"false\"";
                return null;
        }
    }

    /// <summary>Why the path is not an absolute, normalised path ending in a file name; null when it is.</summary>
    private static string? DatabasePathError(string path)
    {
        if (!path.StartsWith('/'))
        {
            return "is not an absolute path";
        }

        if (path.Length > 4096)
        {
            return "is longer than 4096 characters";
        }

        if (path.Any(char.IsControl))
        {
            return "contains control characters";
        }

        if (path.EndsWith('/'))
        {
            return "does not end in a file name";
        }

        var segments = path[1..].Split('/');
        if (segments.Any(s => s.Length == 0 || s is "." or ".."))
        {
            return "is not normalised (empty, '.' or '..' segments)";
        }

        return segments.Length < 2 ? "names a file in the root folder; the file must be inside a mounted volume's folder" : null;
    }

    private static bool IsDnsSubdomain(string name) =>
        name.Length is > 0 and <= 253
        && name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-' or '.')
        && char.IsAsciiLetterOrDigit(name[0]) && char.IsAsciiLetterOrDigit(name[^1]);

    /// <summary>At most 100 characters of untrusted input, control characters escaped.</summary>
    internal static string Quote(string value)
    {
        var cut = value.Length > 100 ? value[..100] + "..." : value;
        return string.Concat(cut.Select(c => char.IsControl(c) || c == '"' ? $"\\u{(int)c:x4}" : c.ToString()));
    }
}
