namespace K8sReplication.TestKit.Kube.Storage;

/// <summary>Per-request write options: <c>dryRun=All</c>, <c>fieldValidation</c> and the field manager.</summary>
internal sealed record WriteOptions(bool DryRun, string FieldValidation, string? FieldManager)
{
    public static WriteOptions Default { get; } = new(false, "Warn", null);

    public bool Strict => string.Equals(FieldValidation, "Strict", StringComparison.OrdinalIgnoreCase);
}
