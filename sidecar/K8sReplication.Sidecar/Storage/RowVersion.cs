namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The version of one row: its HLC (high 48 bits wall-clock ms, low 16 bits counter), the site that wrote it and
/// whether it is a tombstone. Versions are ordered by (Hlc, Site) only; the winner of a conflict is the greater.
/// Two versions with equal (Hlc, Site) are the same write, so Deleted never decides order.
/// </summary>
internal readonly record struct RowVersion(long Hlc, SiteId Site, bool Deleted) : IComparable<RowVersion>
{
    public int CompareTo(RowVersion other)
    {
        var c = Hlc.CompareTo(other.Hlc);
        return c != 0 ? c : Site.CompareTo(other.Site);
    }

    public static bool operator <(RowVersion left, RowVersion right) => left.CompareTo(right) < 0;

    public static bool operator >(RowVersion left, RowVersion right) => left.CompareTo(right) > 0;

    public static bool operator <=(RowVersion left, RowVersion right) => left.CompareTo(right) <= 0;

    public static bool operator >=(RowVersion left, RowVersion right) => left.CompareTo(right) >= 0;
}
