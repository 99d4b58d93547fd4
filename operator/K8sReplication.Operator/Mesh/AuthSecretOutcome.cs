namespace K8sReplication.Operator.Mesh;

/// <summary>What the operator found when it looked for a mesh's auth Secret.</summary>
internal enum AuthSecretOutcome
{
    /// <summary>The mesh names no Secret: members are called without a token.</summary>
    NotConfigured,

    /// <summary>The Secret carries the opt-in label and a token: members are called with it.</summary>
    Accepted,

    /// <summary>No such Secret, or no <c>token</c> key: members are called without a token (nothing secret to leak).</summary>
    Missing,

    /// <summary>The Secret exists but lacks the opt-in label: the operator uses nothing of it and contacts no member.</summary>
    NotLabelled,
}
