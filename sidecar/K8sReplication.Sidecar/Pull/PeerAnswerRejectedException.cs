namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// A peer answered, but the answer is refused (too large, malformed, invalid, or from the wrong site). Nothing of it
/// was applied. Never transient in itself: the same answer would be refused again, so the loop backs off.
/// </summary>
internal sealed class PeerAnswerRejectedException : Exception
{
    public PeerAnswerRejectedException()
        : this(RejectReason.Invalid, "answer refused")
    {
    }

    public PeerAnswerRejectedException(string message)
        : this(RejectReason.Invalid, message)
    {
    }

    public PeerAnswerRejectedException(string message, Exception innerException)
        : this(RejectReason.Invalid, message, innerException)
    {
    }

    public PeerAnswerRejectedException(string reason, string message, Exception? innerException = null)
        : base(message, innerException)
    {
        Reason = reason;
    }

    /// <summary>One of <see cref="RejectReason"/>'s values.</summary>
    public string Reason { get; }

#pragma warning disable CA1822 // part of the typed-exception convention shared by every boundary exception
    public bool IsTransient => false;
#pragma warning restore CA1822
}
