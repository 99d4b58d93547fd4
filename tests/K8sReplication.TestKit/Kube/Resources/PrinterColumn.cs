namespace K8sReplication.TestKit.Kube.Resources;

/// <summary>A Table column: <paramref name="JsonPath"/> is evaluated against the object (CRD additionalPrinterColumns syntax).</summary>
internal sealed record PrinterColumn(string Name, string Type, string JsonPath, string Description, int Priority, string? Format = null);
