namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// A batch (or request) was refused as a whole because of bad input; nothing was changed. The message names the
/// field at fault (e.g. "changes[3].values[2]"). Never transient: retrying the same input fails the same way.
/// </summary>
internal sealed class ChangeRejectedException : Exception
{
    public ChangeRejectedException(string field, string message)
        : base($"{field}: {message}")
    {
        Field = field;
    }

    public ChangeRejectedException(string field, string message, Exception inner)
        : base($"{field}: {message}", inner)
    {
        Field = field;
    }

    /// <summary>The field at fault.</summary>
    public string Field { get; }

#pragma warning disable CA1822 // part of the typed-exception convention shared by every boundary exception
    public bool IsTransient => false;
#pragma warning restore CA1822
}
