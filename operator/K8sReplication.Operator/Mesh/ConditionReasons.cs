namespace K8sReplication.Operator.Mesh;

/// <summary>The closed set of condition reasons the operator writes (CamelCase, as Kubernetes conventions ask).</summary>
internal static class ConditionReasons
{
    public const string NoMembers = "NoMembers";
    public const string AllMembersReady = "AllMembersReady";
    public const string MembersNotReady = "MembersNotReady";
    public const string SameData = "SameData";
    public const string RootsDiffer = "RootsDiffer";
    public const string Lagging = "Lagging";
    public const string MembersUnreachable = "MembersUnreachable";
    public const string AllMembersCurrent = "AllMembersCurrent";
    public const string MembersOutdated = "MembersOutdated";
    public const string Paused = "Paused";
    public const string SchemasMatch = "SchemasMatch";
    public const string SchemaMismatch = "SchemaMismatch";
    public const string AsExpected = "AsExpected";
    public const string MemberUnreachable = "MemberUnreachable";
    public const string MemberFailed = "MemberFailed";
    public const string PeerCircuitOpen = "PeerCircuitOpen";
    public const string RedisUnavailable = "RedisUnavailable";
    public const string RestartRequired = "RestartRequired";
    public const string AuthSecretNotLabelled = "AuthSecretNotLabelled";
    public const string ArchiveCurrent = "ArchiveCurrent";
    public const string ArchiveFailing = "ArchiveFailing";
    public const string ArchiveStale = "ArchiveStale";
    public const string NotReported = "NotReported";
    public const string CredentialsUnavailable = "CredentialsUnavailable";
}
