namespace K8sReplication.Kube.Models;

/// <summary>One matchExpressions entry: key, operator (In, NotIn, Exists, DoesNotExist), values.</summary>
public sealed class LabelSelectorRequirement
{
    public string Key { get; set; } = "";

    public string Operator { get; set; } = "";

    public IList<string>? Values { get; set; }
}
