using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Storage;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// Continuous archiving of one member to one archive (docs/backup.md). <see cref="ArchiveAsync"/> uploads the changes
/// this member captured since the last segment as new change segments; <see cref="SnapshotIfDueAsync"/> takes a base
/// snapshot when the archive's newest is older than the snapshot interval and this member wins the claim for the
/// period; <see cref="ApplyRetentionAsync"/> deletes what no restore point inside the retention window needs. Each
/// call either completes or throws (the store is down, a write failed); nothing it did before the failure is wrong,
/// so the caller simply calls again later.
/// </summary>
internal sealed class Archiver(ReplicaStore store, IRemoteStore remote, BackupSettings settings, TimeProvider time)
{
    /// <summary>Changes read from the store per page.</summary>
    private const int PageSize = 5_000;

    /// <summary>A segment ends once it holds this many changes ...</summary>
    public const int SegmentChanges = 100_000;

    /// <summary>... or this many bytes of keys and values.</summary>
    private const long SegmentBytes = 32L << 20;

    /// <summary>A snapshot claim nobody completed within this time may be claimed again.</summary>
    public static readonly TimeSpan ClaimTimeout = TimeSpan.FromMinutes(15);

    /// <summary>Cursor-table key prefix of the archived position, per archive URL: "UPLOADED SCANNED".</summary>
    public const string CursorPrefix = "backup:";

    private readonly string site = store.Site.ToString();
    private bool started;
    private bool loaded;

    /// <summary>This member's changes are in segments up to this seq (the next segment starts here).</summary>
    private long uploadedTo;

    /// <summary>Nothing of this member's own between <see cref="uploadedTo"/> and this seq (read, nothing to archive).</summary>
    private long scannedTo;

    private DateTimeOffset nextSnapshotCheck = DateTimeOffset.MinValue;

    /// <summary>Most changes in one segment or snapshot part (<see cref="SegmentChanges"/>; lower in tests).</summary>
    public int PartChanges { get; init; } = SegmentChanges;

    /// <summary>Bytes and objects uploaded by the last call, for the metrics.</summary>
    public event Action<string, long>? Uploaded;

    public long UploadedTo => uploadedTo;

    /// <summary>Uploads everything this member captured since the last segment; returns the segments written.</summary>
    public async Task<int> ArchiveAsync(CancellationToken cancellationToken)
    {
        await StartAsync(cancellationToken);
        var written = 0;
        while (true)
        {
            var (changes, end, more) = ReadOwnChanges(scannedTo);
            if (changes.Count == 0)
            {
                if (end > scannedTo)
                {
                    scannedTo = end;
                    SavePosition();
                }

                return written;
            }

            var header = new ArchiveHeader
            {
                Kind = ArchiveFormat.SegmentKind,
                Site = site,
                From = uploadedTo,
                To = end,
                MinHlc = changes.Min(c => c.Version.Hlc),
                MaxHlc = changes.Max(c => c.Version.Hlc),
                Changes = changes.Count,
                CreatedAt = time.GetUtcNow(),
                Tables = store.TableDefinitions(store.SchemaHashes.Keys), // every replicated table: a restore creates them all
            };
            var (bytes, sha) = ArchiveFormat.Encode(header, changes, store.Site);
            await remote.PutIfAbsentAsync(ArchiveLayout.Segment(site, header.From, header.To, header.MinHlc, sha), bytes, cancellationToken);
            Uploaded?.Invoke("segment", bytes.Length);
            uploadedTo = scannedTo = end;
            SavePosition();
            written++;
            if (!more)
            {
                return written;
            }
        }
    }

    /// <summary>Local changes not archived yet (as far as this member knows: from its saved position until it reached the archive).</summary>
    public long Pending()
    {
        LoadPosition();
        return store.CountLocalAfter(uploadedTo);
    }

    /// <summary>
    /// Takes a base snapshot when one is due: the archive holds none, or its newest is older than the snapshot interval,
    /// and this member wins the claim of the current period (one member per period writes one). Returns whether it took one.
    /// </summary>
    public async Task<bool> SnapshotIfDueAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (now < nextSnapshotCheck)
        {
            return false;
        }

        var manifests = await ListAsync(ArchiveLayout.SnapshotsPrefix, cancellationToken);
        var newest = manifests.Select(o => ArchiveLayout.ParseManifest(o.Key)).Where(k => k is not null).Select(k => k!.CreatedMs).DefaultIfEmpty(-1).Max();
        var interval = (long)settings.SnapshotInterval.TotalMilliseconds;
        var nowMs = now.ToUnixTimeMilliseconds();
        if (newest >= 0 && nowMs - newest < interval)
        {
            nextSnapshotCheck = DateTimeOffset.FromUnixTimeMilliseconds(newest + interval);
            return false;
        }

        if (!await ClaimAsync(manifests, nowMs / interval, now, cancellationToken))
        {
            nextSnapshotCheck = now + TimeSpan.FromMinutes(1) < DateTimeOffset.FromUnixTimeMilliseconds((nowMs / interval + 1) * interval)
                ? now + TimeSpan.FromMinutes(1)
                : DateTimeOffset.FromUnixTimeMilliseconds((nowMs / interval + 1) * interval);
            return false;
        }

        await WriteSnapshotAsync(cancellationToken);
        nextSnapshotCheck = DateTimeOffset.FromUnixTimeMilliseconds((nowMs / interval + 1) * interval);
        return true;
    }

    /// <summary>
    /// Deletes what no restore point inside the retention window needs: the snapshots older than the newest one at or
    /// before the window's start (the base of its earliest points), and every segment all kept snapshots hold. Returns
    /// the objects deleted.
    /// </summary>
    public async Task<int> ApplyRetentionAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var windowStart = HybridClock.FromMilliseconds((now - settings.Retention).ToUnixTimeMilliseconds()) | 0xFFFF;
        var listing = await ListAsync(ArchiveLayout.SnapshotsPrefix, cancellationToken);
        var manifests = new List<(SnapshotKey Key, SnapshotManifest Manifest)>();
        foreach (var key in listing.Select(o => ArchiveLayout.ParseManifest(o.Key)).Where(k => k is not null))
        {
            manifests.Add((key!, await ReadManifestAsync(remote, key!, cancellationToken)));
        }

        var baseOfWindow = manifests.Where(m => m.Manifest.MaxHlc <= windowStart).OrderBy(m => m.Manifest.MaxHlc).ThenBy(m => m.Key.CreatedMs).LastOrDefault();
        if (baseOfWindow.Key is null)
        {
            return 0; // the window's earliest points need every segment from the start
        }

        var deleted = 0;
        var kept = new List<SnapshotManifest>();
        foreach (var (key, manifest) in manifests)
        {
            if (manifest.MaxHlc < baseOfWindow.Manifest.MaxHlc || (manifest.MaxHlc == baseOfWindow.Manifest.MaxHlc && key.CreatedMs < baseOfWindow.Key.CreatedMs))
            {
                await remote.DeleteAsync(key.Manifest, cancellationToken); // the manifest first: a snapshot without one is never used
                foreach (var part in manifest.Parts)
                {
                    await remote.DeleteAsync(part.Key, cancellationToken);
                }

                deleted += 1 + manifest.Parts.Count;
            }
            else
            {
                kept.Add(manifest);
            }
        }

        foreach (var segment in (await ListAsync(ArchiveLayout.SegmentsPrefix, cancellationToken)).Select(o => ArchiveLayout.ParseSegment(o.Key)))
        {
            if (segment is not null && kept.All(m => m.Coverage.TryGetValue(segment.Site, out var covered) && segment.To <= covered))
            {
                await remote.DeleteAsync(segment.Key, cancellationToken);
                deleted++;
            }
        }

        var oldClaims = now - settings.Retention - ClaimTimeout;
        foreach (var claim in (await ListAsync(ArchiveLayout.ClaimsPrefix, cancellationToken)).Where(o => o.LastModified < oldClaims))
        {
            await remote.DeleteAsync(claim.Key, cancellationToken);
            deleted++;
        }

        return deleted;
    }

    /// <summary>Reads a snapshot manifest, checks it against the hash its key ends with, and parses it (damage names the key).</summary>
    public static async Task<SnapshotManifest> ReadManifestAsync(IRemoteStore remote, SnapshotKey key, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(remote);
        ArgumentNullException.ThrowIfNull(key);
        var bytes = await remote.GetAsync(key.Manifest, cancellationToken) ?? throw new ArchiveCorruptException(key.Manifest, "listed but gone");
        var actual = Convert.ToHexStringLower(SHA256.HashData(bytes));
        if (actual != key.Sha256)
        {
            throw new ArchiveCorruptException(key.Manifest, $"its content hashes to {actual}, its key says {key.Sha256}");
        }

        try
        {
            var manifest = JsonSerializer.Deserialize(bytes, BackupJsonContext.Default.SnapshotManifest) ?? throw new JsonException("null");
            return manifest.Parts.All(p => ArchiveLayout.ParseSnapshotPart(p.Key) is { } part && part.Sha256 == p.Sha256)
                ? manifest
                : throw new ArchiveCorruptException(key.Manifest, "names a part that is not a snapshot part of its own hash");
        }
        catch (JsonException e)
        {
            throw new ArchiveCorruptException(key.Manifest, "unreadable manifest: " + e.Message);
        }
    }

    /// <summary>Where archiving resumes: the higher of the position saved here and the end of this member's last segment in the archive.</summary>
    private async Task StartAsync(CancellationToken cancellationToken)
    {
        if (started)
        {
            return;
        }

        LoadPosition();
        var archived = (await ListAsync(ArchiveLayout.SitePrefix(site), cancellationToken))
            .Select(o => ArchiveLayout.ParseSegment(o.Key)).Where(k => k is not null).Select(k => k!.To).DefaultIfEmpty(0).Max();
        if (archived > uploadedTo)
        {
            // A segment was uploaded but its position not saved (a crash between the two): it is in the archive.
            uploadedTo = archived;
            scannedTo = Math.Max(scannedTo, archived);
        }

        store.Backup.Archived(uploadedTo);
        started = true;
        if (uploadedTo > 0 && store.CollectedMarks().Own > uploadedTo)
        {
            // Deletes of this member's above the archived position were collected while nothing held them back for this
            // archive (no backup configured, or another URL): they will never be in a segment, and the archive's older
            // segments still hold their rows. A snapshot now records their absence; restores from it on are exact.
            await WriteSnapshotAsync(cancellationToken);
        }
    }

    /// <summary>The position saved in the database for this archive (once).</summary>
    private void LoadPosition()
    {
        if (loaded)
        {
            return;
        }

        if (store.ReadCursor(CursorPrefix + settings.Location.Url) is { } text)
        {
            var parts = text.Split(' ');
            if (parts.Length == 2 && long.TryParse(parts[0], CultureInfo.InvariantCulture, out var u) && long.TryParse(parts[1], CultureInfo.InvariantCulture, out var s))
            {
                (uploadedTo, scannedTo) = (u, Math.Max(u, s));
            }
        }

        store.Backup.Archived(uploadedTo);
        loaded = true;
    }

    private void SavePosition()
    {
        store.WriteCursor(CursorPrefix + settings.Location.Url, string.Create(CultureInfo.InvariantCulture, $"{uploadedTo} {scannedTo}"));
        store.Backup.Archived(uploadedTo);
    }

    /// <summary>
    /// This member's own changes after <paramref name="after"/>, up to a segment's worth: each row once, as its latest
    /// change read (a row written twice since the last segment is archived once, with the values it has now). Returns
    /// the seq the read reached and whether more is waiting.
    /// </summary>
    private (List<Change> Changes, long End, bool More) ReadOwnChanges(long after)
    {
        var latest = new Dictionary<(string, string), int>();
        var changes = new List<Change>();
        var bytes = 0L;
        var end = after;
        while (true)
        {
            var page = store.ReadChanges(end, Math.Min(PageSize, PartChanges), store.Site, SegmentBytes - bytes);
            foreach (var change in page.Changes)
            {
                var id = (change.Table, Convert.ToBase64String(change.Key));
                if (latest.TryGetValue(id, out var index))
                {
                    changes[index] = null!;
                }

                latest[id] = changes.Count;
                changes.Add(change);
                bytes += RowSize.Of(change.Key, change.Values);
            }

            var progressed = page.LastSeq > end;
            end = Math.Max(end, page.LastSeq);
            var more = progressed && page.LastSeq < page.MaxSeq;
            if (!more || latest.Count >= PartChanges || bytes >= SegmentBytes)
            {
                return (changes.Where(c => c is not null).ToList(), end, more);
            }
        }
    }

    private async Task<bool> ClaimAsync(List<RemoteObject> snapshotObjects, long period, DateTimeOffset now, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            var key = ArchiveLayout.Claim(period, attempt);
            if (await remote.PutIfAbsentAsync(key, Encoding.UTF8.GetBytes(site + " " + now.ToString("O", CultureInfo.InvariantCulture)), cancellationToken))
            {
                return true;
            }

            var holder = snapshotObjects.FirstOrDefault(o => o.Key == key) ?? (await ListAsync(key, cancellationToken)).FirstOrDefault();
            if (holder is null || now - holder.LastModified < ClaimTimeout)
            {
                return false; // another member is taking this period's snapshot
            }
        }

        return false;
    }

    /// <summary>
    /// Writes a base snapshot: every row version this member holds, of every origin, in parts of at most a segment's
    /// size (so neither this member nor a restore holds more than one part's changes at a time), then the manifest
    /// naming the parts and what the snapshot covers of each member. A snapshot without a manifest is never used.
    /// </summary>
    private async Task WriteSnapshotAsync(CancellationToken cancellationToken)
    {
        var coverage = SnapshotCoverage();
        var created = time.GetUtcNow();
        var createdMs = created.ToUnixTimeMilliseconds();
        var tables = store.TableDefinitions(store.SchemaHashes.Keys);
        var parts = new List<SnapshotPart>();
        var changes = new List<Change>();
        var bytes = 0L;
        var after = 0L;
        var maxHlc = 0L;
        var total = 0L;
        while (true)
        {
            var page = store.ReadChanges(after, Math.Min(PageSize, PartChanges));
            changes.AddRange(page.Changes);
            bytes += page.Changes.Sum(c => RowSize.Of(c.Key, c.Values));
            var progressed = page.LastSeq > after;
            after = Math.Max(after, page.LastSeq);
            var done = !progressed || page.LastSeq >= page.MaxSeq;
            if (changes.Count >= PartChanges || bytes >= SegmentBytes || (done && (changes.Count > 0 || parts.Count == 0)))
            {
                var header = new ArchiveHeader
                {
                    Kind = ArchiveFormat.SnapshotKind,
                    Site = site,
                    To = after,
                    MinHlc = changes.Count == 0 ? 0 : changes.Min(c => c.Version.Hlc),
                    MaxHlc = changes.Count == 0 ? 0 : changes.Max(c => c.Version.Hlc),
                    Changes = changes.Count,
                    CreatedAt = created,
                    Tables = tables,
                };
                var (encoded, sha) = ArchiveFormat.Encode(header, changes, store.Site);
                var key = ArchiveLayout.SnapshotPart(createdMs, parts.Count, sha);
                await remote.PutIfAbsentAsync(key, encoded, cancellationToken);
                Uploaded?.Invoke("snapshot", encoded.Length);
                parts.Add(new SnapshotPart { Key = key, Sha256 = sha, Changes = changes.Count });
                maxHlc = Math.Max(maxHlc, header.MaxHlc);
                total += changes.Count;
                changes = [];
                bytes = 0;
            }

            if (done)
            {
                break;
            }
        }

        // Every change of this member's with a seq up to where the read ended is in the snapshot, or replaced by a
        // later one the snapshot or a later segment holds.
        coverage[site] = after;
        var manifest = JsonSerializer.SerializeToUtf8Bytes(new SnapshotManifest
        {
            Parts = parts,
            Site = site,
            MaxHlc = maxHlc,
            Changes = total,
            CreatedAt = created,
            Coverage = coverage,
        }, BackupJsonContext.Default.SnapshotManifest);
        await remote.PutIfAbsentAsync(ArchiveLayout.Snapshot(createdMs, Convert.ToHexStringLower(SHA256.HashData(manifest))).Manifest, manifest, cancellationToken);
        Uploaded?.Invoke("manifest", manifest.Length);
        store.Backup.SnapshotTaken(created);
    }

    /// <summary>
    /// Per peer site, the seq of its feed up to which this member holds every change: its feed cursor, lowered to the
    /// resume point of any table held back for a schema difference (those changes are past the cursor but not applied).
    /// </summary>
    private Dictionary<string, long> SnapshotCoverage()
    {
        var coverage = new Dictionary<string, long>(StringComparer.Ordinal);
        var held = store.ReadCursors(CursorTable.HeldPrefix);
        foreach (var (cursor, value) in store.ReadCursors(CursorTable.FeedPrefix))
        {
            if (SiteId.TryParse(cursor[CursorTable.FeedPrefix.Length..], out var peer) && long.TryParse(value, CultureInfo.InvariantCulture, out var seq))
            {
                var heldPrefix = CursorTable.HeldPrefix + peer + ":";
                foreach (var (key, resume) in held)
                {
                    if (key.StartsWith(heldPrefix, StringComparison.Ordinal))
                    {
                        seq = Math.Min(seq, long.TryParse(resume, CultureInfo.InvariantCulture, out var r) ? r : 0);
                    }
                }

                coverage[peer.ToString()] = seq;
            }
        }

        return coverage;
    }

    private async Task<List<RemoteObject>> ListAsync(string prefix, CancellationToken cancellationToken)
    {
        var objects = new List<RemoteObject>();
        await foreach (var item in remote.ListAsync(prefix, cancellationToken))
        {
            objects.Add(item);
        }

        return objects;
    }
}
