namespace K8sReplication.Sidecar.Tests.Storage;

internal enum StepKind
{
    Write,
    Sync,
}

/// <summary>
/// One step. Write: replica Replica writes key Key of table Table (delete or upsert of Value). Sync: replica Other
/// reads Replica's feed from its cursor and applies it after dropping (Mask bits 0–3), duplicating (bit 4) and
/// reordering (Key as shuffle seed) entries; Flag asks the feed for changes originated at Replica only.
/// </summary>
internal sealed record Step(StepKind Kind, int Replica, int Other, int Table, int Key, bool Flag, int Value, int Mask)
{
    public override string ToString() => Kind == StepKind.Write
        ? $"r{Replica}.{(Flag ? "delete" : "upsert")}(t{Table}, k{Key}, {Value})"
        : $"sync r{Replica}->r{Other}(mask {Mask}, shuffle {Key}, origin {Flag})";
}

internal sealed record Scenario(int Replicas, Step[] Steps)
{
    public override string ToString() => $"{Replicas} replicas: " + string.Join("; ", Steps.Select(s => s.ToString()));
}
