using System.ComponentModel;
using System.ComponentModel.DataAnnotations;

namespace K8sReplication.Contracts.Mesh;

/// <summary>One set-based label requirement.</summary>
[CelRule("self.operator in ['In', 'NotIn'] ? (has(self.values) && size(self.values) > 0) : (!has(self.values) || size(self.values) == 0)", "values must be non-empty for In and NotIn and empty for Exists and DoesNotExist")]
public sealed record LabelSelectorRequirement
{
    /// <summary>Label key.</summary>
    [Required]
    [StringLength(317, MinimumLength = 1)]
    [Description("Label key the requirement applies to.")]
    public string Key { get; init; } = "";

    /// <summary>Operator.</summary>
    [Required]
    [Description("How the key relates to the values.")]
    public SelectorOperator Operator { get; init; }

    /// <summary>Values for In and NotIn; empty for Exists and DoesNotExist.</summary>
    [Description("Values for In and NotIn; must be empty for Exists and DoesNotExist.")]
    public IReadOnlyList<string>? Values { get; init; }
}
