using K8sReplication.Sidecar.Backup;
using K8sReplication.Sidecar.Storage;
using K8sReplication.Sidecar.Tests.Storage;

namespace K8sReplication.Sidecar.Tests.Backup;

/// <summary>
/// Archive edge cases: a delete collected while no backup held it back, a gap
/// just before the restore point, and a table held back for a schema difference when a snapshot is taken.
/// </summary>
public sealed class ArchiveEdgeCaseTests : ArchiveTestBase
{
    private const string Schema = "CREATE TABLE kv(k TEXT PRIMARY KEY, v);";

    /// <summary>
    /// Backup turned off and on again with the same URL: a delete collected meanwhile is in no segment, so archiving
    /// starts with a snapshot, and the deleted row does not come back.
    /// </summary>
    [Fact]
    public async Task ADeleteCollectedWhileNoBackupHeldItBack_DoesNotComeBack()
    {
        using var member = new TestReplica(Schema);
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        member.Exec("INSERT INTO kv VALUES ('a', 1), ('b', 2)");
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);
        // backup removed from the settings: HoldsBackAt is null, tombstones go by age/horizon
        member.Exec("DELETE FROM kv WHERE k = 'a'");
        member.Store.TryFoldAll();
        Assert.True(member.Store.CollectTombstones(long.MaxValue) > 0);
        // backup configured again with the same URL: a new archiver resumes from the saved position
        await Archiver(member.Store, remote).ArchiveAsync(CancellationToken.None);

        var report = await new Restorer(remote).RestoreAsync(Path.Combine(OutputFolder, "r.db"), null, false, false, CancellationToken.None);
        Assert.Equal(1, report.Rows);
    }

    /// <summary>A missing segment just before one wholly after the restore point is still a gap.</summary>
    [Fact]
    public void AGapJustBeforeTheRestorePoint_IsReported()
    {
        var site = new string('a', 32);
        var sha = new string('0', 64);
        SegmentKey Seg(long from, long to, long minHlc) => new(ArchiveLayout.Segment(site, from, to, minHlc, sha), site, from, to, minHlc, sha);
        // (0,10] minHlc 100; (10,20] LOST (held changes with hlc 150..250); (20,30] minHlc 300; restore at 200.
        var error = Record.Exception(() => Restorer.NeededSegments([Seg(0, 10, 100), Seg(20, 30, 300)], null, 200));
        Assert.IsType<RestoreFailedException>(error);
    }

    /// <summary>
    /// A table held back for a schema difference: the feed cursor moves past its changes, which the snapshot does not
    /// hold, so the snapshot's coverage stops below them and the restore reads their segment.
    /// </summary>
    [Fact]
    public async Task ATableHeldBackWhenTheSnapshotIsTaken_ItsSegmentIsStillRead()
    {
        using var a = new TestReplica("CREATE TABLE kv(k TEXT PRIMARY KEY, v, extra);"); // migrated first
        using var x = new TestReplica(Schema); // not migrated yet: kv's schema differs
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        a.Exec("INSERT INTO kv VALUES ('a1', 1, 'new')");
        var archiverA = Archiver(a.Store, remote);
        await archiverA.ArchiveAsync(CancellationToken.None);
        var page = a.Store.ReadChanges(0, 100, a.Store.Site);
        var result = x.Store.ApplyBatch(page.Changes, "feed:" + a.Store.Site, page.LastSeq.ToString(System.Globalization.CultureInfo.InvariantCulture),
            a.Store.SchemaHashes, "held:" + a.Store.Site + ":");
        Assert.True(result.CursorStored);
        Assert.True(result.RejectedSchema > 0);
        Assert.True(await Archiver(x.Store, remote).SnapshotIfDueAsync(CancellationToken.None));

        var segments = Directory.GetFiles(ArchiveFolder, "*.seg", SearchOption.AllDirectories);
        var keys = segments.Select(f => ArchiveLayout.ParseSegment(Path.GetRelativePath(ArchiveFolder, f).Replace('\\', '/'))!).ToList();
        var manifest = Directory.GetFiles(Path.Combine(ArchiveFolder, "snapshots"), "*.json").Single();
        var m = await K8sReplication.Sidecar.Backup.Archiver.ReadManifestAsync(remote, ArchiveLayout.ParseManifest("snapshots/" + Path.GetFileName(manifest))!, CancellationToken.None);
        // A's only change is in no object a restore reads: the snapshot does not hold it, its segment is "covered".
        Assert.NotEmpty(Restorer.NeededSegments(keys, m, long.MaxValue));
    }

    public static TheoryData<string, string, long, string> HostileArchives => new()
    {
        { "kv", "CREATE TABLE kv AS SELECT 1 AS k, 2 AS v", 1, "not a single CREATE TABLE" },
        { "kv", "CREATE TABLE kv(k TEXT PRIMARY KEY, v); DROP TABLE x", 1, "not a single CREATE TABLE" },
        { "kv", "CREATE VIEW kv AS SELECT 1", 1, "not a single CREATE TABLE" },
        { "kv", "CREATE TABLE __repl_state(id INTEGER PRIMARY KEY)", 1, "__repl_state" },
        { "kv", "CREATE TABLE kv(k TEXT PRIMARY KEY, v)", HybridClock.FromMilliseconds(DateTimeOffset.UtcNow.AddDays(30).ToUnixTimeMilliseconds()), "could not all be applied" },
    };

    /// <summary>An archive whose objects hash right but hold SQL other than table definitions, or clocks far in the future: the restore fails and writes nothing.</summary>
    [Theory]
    [MemberData(nameof(HostileArchives))]
    public async Task AHostileArchive_FailsTheRestore_AndWritesNothing(string table, string definition, long hlc, string expected)
    {
        using var remote = RemoteStores.Open(ArchiveUrl, null, null);
        var site = SiteId.NewRandom();
        var change = new Change(table, KeyCodec.Encode(["a"]), new RowVersion(hlc, site, false), ["a", 1L], 1);
        var header = new ArchiveHeader
        {
            Kind = ArchiveFormat.SegmentKind, Site = site.ToString(), From = 0, To = 1, MinHlc = hlc, MaxHlc = hlc, Changes = 1,
            CreatedAt = DateTimeOffset.UtcNow, Tables = new(StringComparer.Ordinal) { [table] = [definition] },
        };
        var (bytes, sha) = ArchiveFormat.Encode(header, [change], site);
        Assert.True(await remote.PutIfAbsentAsync(ArchiveLayout.Segment(site.ToString(), 0, 1, hlc, sha), bytes, CancellationToken.None));

        var target = Path.Combine(OutputFolder, "hostile.db");
        var error = await Assert.ThrowsAsync<RestoreFailedException>(() => new Restorer(remote).RestoreAsync(target, null, false, false, CancellationToken.None));
        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(target));
        Assert.Empty(Directory.GetFiles(OutputFolder));
    }
}
