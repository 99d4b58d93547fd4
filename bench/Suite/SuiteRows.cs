using K8sReplication.Bench.Cases;
using K8sReplication.Bench.Mesh;
using K8sReplication.Bench.Peers;

namespace K8sReplication.Bench.Suite;

/// <summary>
/// Runs each case and turns its samples into table rows, each next to its reference (the limit or a peer measured
/// earlier in the same run) with its target where there is one.
/// </summary>
internal sealed class SuiteRows(SuiteRun run, SuiteOptions o)
{
    private const string Limit = "limit";
    private const string Peer = "peer";
    private const string Ours = "ours";
    private LimitCases.Limits? _limits;
    private Sample? _redis;
    private Sample? _postgres;

    private string N => o.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);

    private Sample? LimitWrite => _limits?.InsertSeconds;

    public async Task LimitsAsync()
    {
        _limits = await LimitCases.RunAsync(o);
        Add(new(Limit, "raw SQLite batched INSERT rate (1000-row tx, WAL, synchronous=NORMAL)", _limits.InsertRate, null, null));
        Add(new(Limit, "raw SQLite batched upsert rate (INSERT .. ON CONFLICT DO UPDATE)", _limits.UpsertRate, null, null));
        Add(new(Limit, $"raw SQLite: time to write {N} rows in 1000-row tx", _limits.InsertSeconds, null, null));
        Add(new(Limit, "loopback HTTP round trip (Kestrel echo on 127.0.0.1:0, median of sequential GETs)", _limits.RttMs, null, null));
    }

    public async Task RedisAsync()
    {
        var server = PeerInstaller.Redis(o.InstallPeers);
        if (server is null)
        {
            Add(new(Peer, $"Redis primary→replica: {N} keys converged", new Sample("s"), null, null, Note: PeerInstaller.RedisHint));
            return;
        }

        _redis = await RedisPeer.RunAsync(o, server);
        Add(new(Peer, $"Redis primary→replica: {N} keys (100-byte values, pipelined) converged on the replica", _redis, "raw SQLite write of the rows", LimitWrite));
    }

    public async Task PostgresAsync()
    {
        var bin = PeerInstaller.PostgresBin(o.InstallPeers);
        if (bin is null)
        {
            Add(new(Peer, $"PostgreSQL logical replication: {N} rows converged", new Sample("s"), null, null, Note: PeerInstaller.PostgresHint));
            return;
        }

        _postgres = await PostgresPeer.RunAsync(o, bin);
        Add(new(Peer, $"PostgreSQL logical replication: {N} rows in 1000-row tx converged on the subscriber", _postgres, "raw SQLite write of the rows", LimitWrite));
    }

    /// <summary>Two members: idle footprint, lag at a fixed commit rate, N rows to the other member, equal-roots probe.</summary>
    public async Task PairAsync()
    {
        // The bursts run on fresh pairs of their own once this one, which measures idle, lag and the probe, is gone.
        await using (var mesh = await BenchMesh.StartAsync(Path.Combine(o.Dir, "pair"), 2, schema: LagCase.Schema))
        {
            await mesh.ConnectAsync();
            var cpu0 = mesh.Nodes.Select(n => ProcessMetrics.CpuSeconds(n.Pid)).ToArray();
            var idleWindow = TimeSpan.FromSeconds(o.Quick ? 2 : 5);
            await Task.Delay(idleWindow); // the measurement window itself
            var idleCpu = Sample.Of("% of one core", mesh.Nodes.Select((n, i) => (ProcessMetrics.CpuSeconds(n.Pid) - cpu0[i]) / idleWindow.TotalSeconds * 100).ToArray());
            var idleRss = Sample.Of("MB", mesh.Nodes.Select(n => ProcessMetrics.RssMb(n.Pid)).ToArray());
            Add(new(Ours, "sidecar CPU idle, connected pair (each member)", idleCpu, null, null));
            Add(new(Ours, "sidecar RSS idle, connected pair (each member)", idleRss, null, null, "≤ 60 MB", 60));

            var lag = LagCase.Run(mesh, o);
            var rate = $"{o.LagRate}/s";
            Add(new(Ours, $"single-row commits at {rate} for {o.LagDuration.TotalSeconds:0} s: achieved commit rate", lag.AchievedRate, null, null));
            Add(new(Ours, $"replication lag p50 at {rate}", lag.P50, "loopback HTTP RTT", _limits?.RttMs));
            var floor = LagCase.RunFloor(Path.Combine(o.Dir, "lag-floor"), o);
            Add(new(Ours, $"replication lag p50 at {rate}: floor (a bare in-process loop polling every 1 ms and copying the rows; no HTTP, no sidecar)", floor.P50, null, null));
            Add(new(Ours, $"replication lag p99 at {rate}: floor (the same bare loop)", floor.P99, null, null));
            Add(new(Ours, $"replication lag p99 at {rate}", lag.P99, "the floor's p99 (bare loop, same machine)", floor.P99, "≤ 5 ms", 5));
            Add(new(Ours, $"replication lag max at {rate}", lag.Max, "loopback HTTP RTT", _limits?.RttMs));
            Add(new(Ours, $"rows not seen on the receiver within 60 s after the run at {rate}", lag.Missing, null, null, "0", 0));
            Add(new(Ours, $"sidecar CPU under load ({rate} commits; busiest member)", lag.CpuPercent, "idle", idleCpu));
            Add(new(Ours, $"sidecar RSS under load ({rate} commits; largest member)", lag.RssMb, "idle", idleRss));

            var a = await mesh[0].StatusAsync();
            await mesh.SettleAsync("equal roots before the probe");
            var bytes = new Sample("bytes");
            var ms = new Sample("ms");
            for (var rep = 0; rep < o.Reps; rep++)
            {
                var (b, t) = await ProbeCase.RunAsync(mesh[1]);
                bytes.Add(b);
                ms.Add(t);
            }

            Add(new(Ours, $"equal-roots probe: one GET /v1/merkle, request + response bytes on the wire ({a.Rows:N0} rows)", bytes, null, null, "< 1 KB", 1023));
            Add(new(Ours, "equal-roots probe: round trip incl. TCP connect", ms, "loopback HTTP RTT (kept-alive)", _limits?.RttMs));
        }

        var tp = await ThroughputCase.RunAsync(() => BenchMesh.StartConnectedAsync(Path.Combine(o.Dir, "pair-burst"), 2), o);
        var name = $"{N} rows in 1000-row tx on one member: converged on 1 other member";
        Add(new(Ours, name, tp.ToAll, "PostgreSQL logical replication", _postgres, "≤ 1.0 s", 1.0));
        Add(new(Ours, name, tp.ToAll, "Redis primary→replica", _redis));
        Add(new(Ours, name, tp.ToAll, "raw SQLite write of the rows (limit)", LimitWrite));
        Add(new(Ours, $"app write time of the {N} rows (capture on, sidecar folding)", tp.WriteSeconds, "raw SQLite write of the rows (limit)", LimitWrite));
        Add(new(Ours, $"{N} rows to 1 other member: the least time on this machine's {Environment.ProcessorCount} cores (CPU of the app's writing thread and both sidecars until member 1 had them, over the cores)", tp.CpuBoundSeconds, "measured", tp.ToAll));
        Add(new(Ours, $"sidecar CPU per replicated row, sender (fold + serve; {N} rows to 1 member)", tp.SenderCpuUsPerRow, null, null));
        Add(new(Ours, $"sidecar CPU per replicated row, receiver (fetch + decode + apply; {N} rows to 1 member)", tp.ReceiverCpuUsPerRow, null, null));
        AddReads("to 1 member", tp);
        Add(new(Ours, "feed bytes on the wire per row (no compression)", tp.WireBytesPerRow, "the row's own bytes (36-char key + 100-byte blob)", Sample.Of("bytes", ThroughputCase.RowBytes)));
    }

    /// <summary>
    /// N rows to 3 other members against the same rows to 1, repetitions alternating between a fresh pair and a fresh
    /// four-member mesh so that the machine's drift during the run falls on both; with the CPU bound of each.
    /// </summary>
    public async Task FourAsync()
    {
        var (pair, tp) = await ThroughputCase.AlternateAsync(() => BenchMesh.StartConnectedAsync(Path.Combine(o.Dir, "fanout-pair"), 2),
            () => BenchMesh.StartConnectedAsync(Path.Combine(o.Dir, "four"), 4), o, o.Reps);
        var name = $"{N} rows in 1000-row tx on one member: converged on all 3 other members (4-member full mesh)";
        Add(new(Ours, name, tp.ToAll, "PostgreSQL logical replication (1 subscriber)", _postgres, "≤ 2.0 s", 2.0));
        Add(new(Ours, name, tp.ToAll, "raw SQLite write of the rows (limit)", LimitWrite));
        Add(new(Ours, name, tp.ToAll, "the same rows to 1 other member (fresh pairs, repetitions alternating)", pair.ToAll, "≤ 2×", 2.0, TargetOnRatio: true));
        Add(new(Ours, $"{N} rows to 3 other members against 1 (ratio per alternating repetition)", PerRepetition(tp.ToAll, pair.ToAll), null, null, "≤ 2×", 2.0));
        var cores = Environment.ProcessorCount;
        Add(new(Ours, $"{N} rows to 3 other members: the least time on this machine's {cores} cores (CPU of the app's writing thread and all four sidecars until the last member had them, over the cores)", tp.CpuBoundSeconds, "measured", tp.ToAll));
        Add(new(Ours, $"{N} rows to 3 other members: that least time against the same rows to 1 member measured (the floor of the 3-against-1 ratio on {cores} cores)", tp.CpuBoundSeconds, "to 1 member (alternating)", pair.ToAll));
        Add(new(Ours, "sidecar CPU per replicated row, sender serving 3 members", tp.SenderCpuUsPerRow, "sender serving 1 member (alternating)", pair.SenderCpuUsPerRow));
        Add(new(Ours, "sidecar CPU per replicated row, busiest receiver of 3", tp.ReceiverCpuUsPerRow, "the receiver of a pair (alternating)", pair.ReceiverCpuUsPerRow));
        Add(new(Ours, $"anti-entropy bytes received by all members during a {N}-row burst to 3 members (until settled; rows in flight come by the feeds)", tp.RepairBytes, null, null));
        AddReads("to 3 members", tp);
    }

    /// <summary>The sender's feed page reads during a burst (until settled): what fan-out shares and what long polls waste.</summary>
    private void AddReads(string what, ThroughputCase.Result tp)
    {
        Add(new(Ours, $"feed pages the sender read and encoded per {N}-row burst {what} (until settled)", tp.SenderReads, null, null));
        Add(new(Ours, $"feed pages the sender served from another reader's encoding per burst {what}", tp.SenderSharedReads, "pages read and encoded", tp.SenderReads));
        Add(new(Ours, $"feed pages the sender read that held no change (long polls woken for nothing) per burst {what}", tp.SenderEmptyReads, "pages read and encoded", tp.SenderReads));
    }

    public async Task AppTaxAsync()
    {
        var t = await AppTaxCase.RunAsync(o);
        var m = t.AutocommitRows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Add(new(Ours, $"app write of {N} rows in 1000-row tx: capture floor (triggers installed, sidecar stopped)", t.Floor.TxSeconds, "plain database, no capture", t.Plain.TxSeconds));
        Add(new(Ours, $"app write of {N} rows in 1000-row tx: both sidecars running (member 1 tailing)", t.Running.TxSeconds, "capture floor", t.Floor.TxSeconds, "≤ 1.15× the floor", 1.15, TargetOnRatio: true));
        Add(new(Ours, $"app write of {N} rows in 1000-row tx: replication floor (a bare relay at the sidecar's pace stores each commit's rows by key)", t.Relayed.TxSeconds, "capture floor", t.Floor.TxSeconds));
        Add(new(Ours, $"app write of {N} rows in 1000-row tx, both sidecars running: app's lock waits (busy handler)", t.Running.TxWaitMs, null, null));
        Add(new(Ours, $"{N} rows in 1000-row tx, both sidecars running: first write until member 1 has them", t.RunningPair.ToOther, "the app's own write", t.Running.TxSeconds, "≤ 1.5×", 1.5, TargetOnRatio: true));
        Add(new(Ours, $"app write of {m} autocommit rows: capture floor", t.Floor.AutocommitSeconds, "plain database, no capture", t.Plain.AutocommitSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: both sidecars running", t.Running.AutocommitSeconds, "capture floor", t.Floor.AutocommitSeconds, "≤ 1.15× the floor", 1.15, TargetOnRatio: true));
        Add(new(Ours, $"app write of {m} autocommit rows: both sidecars running, against the capture floor of the same repetition (ratio per repetition)", PerRepetition(t.Running.AutocommitSeconds, t.Floor.AutocommitSeconds), null, null, "≤ 1.15×", 1.15));
        Add(new(Ours, $"app write of {m} autocommit rows: replication floor (a bare relay at the sidecar's pace stores each commit's rows by key)", t.Relayed.AutocommitSeconds, "capture floor", t.Floor.AutocommitSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: both sidecars running, against the replication floor", t.Running.AutocommitSeconds, "replication floor", t.Relayed.AutocommitSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows, both sidecars running: app's lock waits (busy handler)", t.Running.AutocommitWaitMs, null, null));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's CPU time, both sidecars running", t.Running.AutocommitAppCpuSeconds, "capture floor", t.Floor.AutocommitAppCpuSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: times the app thread was preempted, both sidecars running", t.Running.AutocommitPreemptions, "replication floor", t.Relayed.AutocommitPreemptions));
        Add(new(Ours, $"app write of {m} autocommit rows: times the app thread was preempted, capture floor", t.Floor.AutocommitPreemptions, null, null));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time waiting for a CPU, both sidecars running", t.Running.AutocommitRunQueueSeconds, "replication floor", t.Relayed.AutocommitRunQueueSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time waiting for a CPU, capture floor", t.Floor.AutocommitRunQueueSeconds, null, null));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time blocked (disk, locks), both sidecars running", t.Running.AutocommitBlockedSeconds, "capture floor", t.Floor.AutocommitBlockedSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time blocked (disk, locks), replication floor", t.Relayed.AutocommitBlockedSeconds, "capture floor", t.Floor.AutocommitBlockedSeconds));
        Add(new(Ours, $"both sidecars' CPU time during the {m} autocommit writes", t.RunningPair.SidecarCpuSeconds, "the app's write time", t.Running.AutocommitSeconds));
        Add(new(Ours, $"the sender's CPU time during the {m} autocommit writes", t.RunningPair.SenderCpuSeconds, "both sidecars'", t.RunningPair.SidecarCpuSeconds));
        Add(new(Ours, $"feed answers with changes the sender gave during the {m} autocommit writes", t.RunningPair.AutocommitAnswers, null, null));
        Add(new(Ours, $"rows per feed answer during the {m} autocommit writes", Sample.Of("rows", [.. t.RunningPair.AutocommitAnswers.Values.Select(a => t.AutocommitRows / Math.Max(1, a))]), null, null));
        const string Apart = "member 1 apart (its files on tmpfs, its process on the last core: as on a node of its own)";
        Add(new(Ours, $"app write of {N} rows in 1000-row tx: both sidecars running, {Apart}", t.Apart.TxSeconds, "capture floor", t.Floor.TxSeconds, "≤ 1.15× the floor", 1.15, TargetOnRatio: true));
        Add(new(Ours, $"app write of {m} autocommit rows: both sidecars running, {Apart}", t.Apart.AutocommitSeconds, "capture floor", t.Floor.AutocommitSeconds, "≤ 1.15× the floor", 1.15, TargetOnRatio: true));
        Add(new(Ours, $"app write of {m} autocommit rows: both sidecars running, {Apart}, against the capture floor of the same repetition (ratio per repetition)", PerRepetition(t.Apart.AutocommitSeconds, t.Floor.AutocommitSeconds), null, null, "≤ 1.15×", 1.15));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time blocked (disk, locks), both sidecars running, {Apart}", t.Apart.AutocommitBlockedSeconds, "capture floor", t.Floor.AutocommitBlockedSeconds));
        Add(new(Ours, $"app write of {m} autocommit rows: the app thread's time waiting for a CPU, both sidecars running, {Apart}", t.Apart.AutocommitRunQueueSeconds, "capture floor", t.Floor.AutocommitRunQueueSeconds));
        Add(new(Ours, $"both sidecars' CPU time during the {m} autocommit writes, {Apart}", t.ApartPair.SidecarCpuSeconds, "the app's write time", t.Apart.AutocommitSeconds));
        Add(new(Ours, $"the sender's CPU time during the {m} autocommit writes, {Apart}", t.ApartPair.SenderCpuSeconds, "both sidecars'", t.ApartPair.SidecarCpuSeconds));
    }

    /// <summary>
    /// The ratio of two configurations' figures repetition by repetition (both measured in each repetition, the order of
    /// the configurations rotating): the machine's drift between repetitions falls on both sides of each ratio.
    /// </summary>
    private static Sample PerRepetition(Sample ours, Sample reference) => Sample.Of("×", [.. ours.Values.Zip(reference.Values, (a, b) => a / b)]);

    public async Task WalBurstAsync()
    {
        var w = await WalBurstCase.RunAsync(o);
        var n = w.Rows.ToString("N0", System.Globalization.CultureInfo.InvariantCulture);
        Add(new(Ours, $"WAL file, peak during a burst of {n} rows in 1000-row tx (member 0 of a pair, sampled every 50 ms)", w.PeakMb, "the database file after the burst", w.DatabaseMb));
        Add(new(Ours, $"WAL file after that burst, once idle (captures folded, then 3 s after it was back within 64 MiB)", w.AfterIdleMb, null, null, "≤ 64 MiB", WalBurstCase.BoundBytes / 1e6));
        Add(new(Ours, "time from the last row replicated to the WAL file within 64 MiB (the fold of the burst's captures included)", w.SecondsToBound, null, null));
    }

    public async Task SoakAsync()
    {
        var s = await SoakCase.RunAsync(o);
        var what = $"{s.Duration.TotalMinutes:0}-minute delete-heavy soak (3-member full mesh; member 0 inserts and deletes 2,000 rows/s, ~400 live)";
        Add(new(Ours, $"row versions kept (live rows + tombstones), peak on any member during a {what}", s.PeakVersions,
            "rows deleted during the soak (the versions without tombstone collection)", s.Deleted));
        Add(new(Ours, "row versions kept, peak over the whole soak (bounded: no growth after the first half)", s.PeakVersions,
            "peak during the soak's first half", s.FirstHalfPeakVersions, "≤ 1.5×", 1.5, TargetOnRatio: true));
        Add(new(Ours, "row versions kept once the soak's writes stop and the mesh has collected (every member)", s.FinalVersions, null, null, "≤ 400 (the live rows)", 400));
        Add(new(Ours, "tombstones collected during the soak (fewest of the 3 members)", s.Collected, "rows deleted", s.Deleted));
        Add(new(Ours, "WAL file, peak on any member over the whole soak (sampled every second; bounded: no growth after the first half)", s.PeakWalMb,
            "peak during the soak's first half", s.FirstHalfPeakWalMb, "≤ 1.5×", 1.5, TargetOnRatio: true));
        Add(new(Ours, "WAL file, longest of the members once the soak is quiet", s.IdleWalMb, null, null, "≤ 64 MiB", WalBurstCase.BoundBytes / 1e6));
        Add(new(Ours, "database file of member 0 at the end of the soak", s.FinalDatabaseMb, "its largest during the first half", s.HalfDatabaseMb, "≤ 1.5×", 1.5, TargetOnRatio: true));
    }

    public async Task CaptureAsync()
    {
        var c = await CaptureCase.RunAsync(o);
        Add(new(Ours, "app autocommit single-row INSERT rate with capture (sidecar running)", c.Captured, "same writes, plain database", c.Plain));
        var overhead = Sample.Of("%", c.Plain.Values.Zip(c.Captured.Values, (p, x) => (1 - (x / p)) * 100).ToArray());
        Add(new(Ours, "capture overhead on autocommit writes (1 − captured/plain, per repetition)", overhead, null, null, "≤ 15 %", 15));
    }

    public async Task StartupAsync()
    {
        // The shipped build, and beside it (when that is the native binary) the JIT build measured in the same run.
        var shipped = BenchNode.Sidecar;
        var kind = shipped.IsNative ? "Native AOT" : "JIT";
        var s = await StartupCase.RunAsync(o, shipped);
        var jit = shipped.IsNative ? await StartupCase.RunAsync(o, BenchNode.Jit) : null;
        var reference = jit is null ? null : "JIT (`dotnet k8srepl-sidecar.dll`)";
        Add(new(Ours, $"start-up: process start to listening line ({kind})", s.ToListening, reference, jit?.ToListening));
        Add(shipped.IsNative
            ? new(Ours, "start-up: process start to /readyz 200 (Native AOT, empty table, no peers)", s.ToReady, reference, jit?.ToReady, "≤ 150 ms", 150)
            : new(Ours, "start-up: process start to /readyz 200 (JIT, empty table, no peers)", s.ToReady, null, null, "≤ 500 ms", 500));
        Add(shipped.IsNative
            ? new(Ours, "sidecar RSS idle, alone (2 s after ready, Native AOT)", s.IdleRssMb, reference, jit?.IdleRssMb, "≤ 40 MB", 40)
            : new(Ours, "sidecar RSS idle, alone (2 s after ready, JIT)", s.IdleRssMb, null, null, "≤ 60 MB", 60));
    }

    public async Task PartitionAsync()
    {
        var p = await PartitionCase.RunAsync(o);
        Add(new(Ours, $"convergence after a {o.Partition.TotalSeconds:0} s partition with writes on both sides (time from healing)", p.Convergence, null, null,
            Note: $"~{p.RowsPerSide.Median:0} writes per side + updates to 100 shared keys; anti-entropy interval 1 s"));
    }

    public async Task RepairAsync()
    {
        var r = await RepairCase.RunAsync(o);
        var diff = Sample.Of("bytes", r.DiffBytes);
        var rowsText = $"{o.RepairDiff:N0} differing rows in {o.RepairRows:N0}";
        Add(new(Ours, $"anti-entropy repair of {rowsText}: time from adding the peer to equal roots", r.Seconds, null, null));
        Add(new(Ours, $"anti-entropy repair of {rowsText}: bytes received", r.Bytes, "bytes of the differing rows (36-byte key + 100-byte value)", diff, "≤ 3× the rows' bytes", r.DiffBytes * 3));
        Add(new(Ours, "anti-entropy repair: rows repaired (metric)", r.RowsRepaired, null, null));
        Add(new(Ours, "anti-entropy repair: changes applied by the hot path during repair (applied − repaired; 0 means only anti-entropy moved data)", r.HotPathApplied, null, null));
        Add(new(Ours, "anti-entropy repair: changes fetched and skipped (older/duplicate; 0 means the hot path re-sent nothing)", r.Skipped, null, null));
    }

    /// <summary>The hot path over mutual TLS against plain HTTP, in the same run, repetitions alternating.</summary>
    public async Task TlsAsync()
    {
        var t = await TlsCase.RunAsync(o);
        var name = $"{N} rows in 1000-row tx on one member: converged on 1 other member";
        Add(new(Ours, name + ", plain HTTP (binary feed)", t.Plain.ToAll, null, null));
        Add(new(Ours, name + ", mutual TLS (binary feed)", t.Tls.ToAll, "the same over plain HTTP, same run", t.Plain.ToAll, "≤ 1.10×", 1.10, TargetOnRatio: true));
        var overhead = Sample.Of("%", [.. t.Plain.ToAll.Values.Zip(t.Tls.ToAll.Values, (p, x) => ((x / p) - 1) * 100)]);
        Add(new(Ours, "mutual TLS overhead on that time (TLS / plain − 1, per alternating repetition)", overhead, null, null, "≤ 10 %", 10));
        Add(new(Ours, $"sidecar CPU per replicated row, sender, mutual TLS ({N} rows to 1 member)", t.Tls.SenderCpuUsPerRow, "plain HTTP, same run", t.Plain.SenderCpuUsPerRow));
        Add(new(Ours, $"sidecar CPU per replicated row, receiver, mutual TLS ({N} rows to 1 member)", t.Tls.ReceiverCpuUsPerRow, "plain HTTP, same run", t.Plain.ReceiverCpuUsPerRow));
    }

    /// <summary>Codecs on real feed pages: sizes, CPU, and whether each pays off on a fast and a slow link.</summary>
    public async Task CompressionAsync() => run.Rows.AddRange(CompressionRows.Of(await CompressionCase.RunAsync(o)));

    /// <summary>Archive and restore of one member's rows, against reading and gzipping them and against copying the file.</summary>
    public async Task BackupAsync() => run.Rows.AddRange(BackupRows.Of(await BackupCase.RunAsync(o)));

    public async Task OperatorAsync()
    {
        var r = await OperatorScaleCase.RunAsync(Operator.OperatorScaleOptions.Parse([], o.Quick) with { Dir = Path.Combine(o.Dir, "operator-scale") },
            line => Console.Error.WriteLine("  operator: " + line));
        run.Rows.AddRange(Operator.OperatorScaleRows.Of(r));
    }

    private void Add(ResultRow row) => run.Rows.Add(row);
}
