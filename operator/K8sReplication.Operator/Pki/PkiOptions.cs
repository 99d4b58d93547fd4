namespace K8sReplication.Operator.Pki;

/// <summary>
/// How long the certificates the operator issues live and when they are replaced. Member certificates are short
/// (90 days) so a leaked key stops working soon; the authority lives longer so its rotation, which needs every member
/// to take part, is rare.
/// </summary>
internal sealed record PkiOptions
{
    public static readonly TimeSpan DefaultMemberValidity = TimeSpan.FromDays(90);
    public static readonly TimeSpan DefaultAuthorityValidity = TimeSpan.FromDays(3 * 365);
    public const double DefaultRenewFraction = 2.0 / 3.0;
    public static readonly TimeSpan DefaultObservationRetry = TimeSpan.FromSeconds(30);

    /// <summary>Lifetime of a member certificate (<c>--tls-member-validity</c>).</summary>
    public TimeSpan MemberValidity { get; init; } = DefaultMemberValidity;

    /// <summary>Lifetime of a mesh's certificate authority (<c>--tls-authority-validity</c>).</summary>
    public TimeSpan AuthorityValidity { get; init; } = DefaultAuthorityValidity;

    /// <summary>The fraction of a certificate's lifetime after which it is replaced.</summary>
    public double RenewFraction { get; init; } = DefaultRenewFraction;

    /// <summary>How soon to look again while a rotation waits for members to load what they were given.</summary>
    public TimeSpan ObservationRetry { get; init; } = DefaultObservationRetry;

    /// <summary>Every problem with these options, each naming its flag.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MemberValidity < TimeSpan.FromMinutes(1))
        {
            errors.Add($"--tls-member-validity: must be at least 1m, got {MemberValidity}");
        }

        if (AuthorityValidity < 2 * MemberValidity)
        {
            errors.Add($"--tls-authority-validity: must be at least twice --tls-member-validity ({2 * MemberValidity}), got {AuthorityValidity}");
        }

        if (RenewFraction is <= 0 or >= 1)
        {
            errors.Add($"renew fraction: must lie strictly between 0 and 1, got {RenewFraction}");
        }

        return errors;
    }
}
