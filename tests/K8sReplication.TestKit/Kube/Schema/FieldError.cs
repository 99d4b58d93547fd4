namespace K8sReplication.TestKit.Kube.Schema;

/// <summary>One field-level validation failure, rendered like Kubernetes' <c>field.Error</c>.</summary>
internal sealed record FieldError(string Field, string Reason, string Body)
{
    public static FieldError Invalid(string field, string value, string detail) =>
        new(field, "FieldValueInvalid", $"Invalid value: {value}: {detail}");

    public static FieldError TypeInvalid(string field, string value, string detail) =>
        new(field, "FieldValueTypeInvalid", $"Invalid value: {value}: {detail}");

    public static FieldError Required(string field, string? detail = null) =>
        new(field, "FieldValueRequired", detail is null ? "Required value" : $"Required value: {detail}");

    public static FieldError NotSupported(string field, string value, IEnumerable<string> supported) =>
        new(field, "FieldValueNotSupported", $"Unsupported value: {value}: supported values: {string.Join(", ", supported)}");

    public static FieldError Forbidden(string field, string detail) =>
        new(field, "FieldValueForbidden", $"Forbidden: {detail}");

    public override string ToString() => $"{Field}: {Body}";
}
