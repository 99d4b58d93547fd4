namespace K8sReplication.Bench.Operator;

/// <summary>
/// One simulated mesh member as the fake sidecar serves it: its pod, its own loopback IP, and the config generation
/// it last accepted. Every member of a mesh reports the same Merkle root, so a mesh converges as soon as each member
/// runs the pushed generation.
/// </summary>
internal sealed class FakeMember(string mesh, string pod, string ip, string merkleRoot)
{
    private readonly Lock _gate = new();
    private long _generation;
    private long _configPuts;
    private long _statusGets;

    public string Mesh { get; } = mesh;

    public string Pod { get; } = pod;

    public string Ip { get; } = ip;

    public string MerkleRoot { get; } = merkleRoot;

    public string SiteId { get; } = Guid.NewGuid().ToString("N");

    public string? ConfiguredMesh { get; private set; }

    public int PeersTotal { get; private set; }

    public long Generation => Interlocked.Read(ref _generation);

    public long ConfigPuts => Interlocked.Read(ref _configPuts);

    public long StatusGets => Interlocked.Read(ref _statusGets);

    /// <summary>Accepts a pushed config unless it is older than the one in force (the real sidecar answers 409 then).</summary>
    public bool Apply(string? mesh, long generation, int peers)
    {
        Interlocked.Increment(ref _configPuts);
        lock (_gate)
        {
            if (generation < _generation)
            {
                return false;
            }

            _generation = generation;
            ConfiguredMesh = mesh;
            PeersTotal = peers;
            return true;
        }
    }

    public void CountStatusGet() => Interlocked.Increment(ref _statusGets);
}
