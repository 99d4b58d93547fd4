namespace K8sReplication.Operator.Mesh;

/// <summary>
/// What the status expects of the members' backup when <c>spec.backup</c> is set: a successful archive round within
/// <paramref name="StaleAfter"/>, and why no credentials could be pushed, if so.
/// </summary>
internal sealed record BackupExpectation(TimeSpan StaleAfter, string? CredentialsProblem);
