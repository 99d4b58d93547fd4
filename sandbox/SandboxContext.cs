using K8sReplication.Sandbox.Cluster;
using K8sReplication.Sandbox.Members;
using K8sReplication.Sandbox.View;

namespace K8sReplication.Sandbox;

/// <summary>The running sandbox as scenarios see it: cluster, members, the app writer, the observer and the narrator.</summary>
internal sealed class SandboxContext(SandboxOptions options, EmulatedCluster cluster, MemberSet members, AppWriter? writer,
    ClusterObserver observer, Narrator narrator, string tokenFile)
{
    public static readonly TimeSpan ConvergenceTimeout = TimeSpan.FromSeconds(90);

    public SandboxOptions Options { get; } = options;

    public EmulatedCluster Cluster { get; } = cluster;

    public MemberSet Members { get; } = members;

    public AppWriter? Writer { get; } = writer;

    public Narrator Narrator { get; } = narrator;

    public ClusterSnapshot? Last { get; private set; }

    public static string MemberName(int index) => "notes-" + index.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>Starts a member's sidecar on its own database and creates its running pod, as a StatefulSet pod would appear.</summary>
    public async Task<Member> StartMemberAsync(string name, CancellationToken cancellationToken)
    {
        var member = new Member(name, Options.Dir, tokenFile);
        Members.Add(member);
        await member.StartAsync(cancellationToken);
        Narrator.Say($"{name}: sidecar pid {member.Pid} listening on :{member.ReplicationPort} (admin :{member.AdminPort}), site {member.Site}");
        await Cluster.CreatePodAsync(name, member.ReplicationPort, member.AdminPort, cancellationToken);
        return member;
    }

    public async Task<ClusterSnapshot> CaptureAsync(CancellationToken cancellationToken)
    {
        var snapshot = await observer.CaptureAsync(cancellationToken);
        Last = snapshot;
        return snapshot;
    }

    /// <summary>Polls snapshots until <paramref name="accept"/> holds or the deadline passes; returns the last snapshot and whether it held.</summary>
    public async Task<(bool Reached, ClusterSnapshot Snapshot)> WaitForAsync(Func<ClusterSnapshot, bool> accept, TimeSpan timeout,
        CancellationToken cancellationToken)
    {
        using var deadline = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        deadline.CancelAfter(timeout);
        var snapshot = await CaptureAsync(cancellationToken);
        while (!accept(snapshot))
        {
            try
            {
                await Task.Delay(TimeSpan.FromMilliseconds(500), deadline.Token);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                return (false, snapshot);
            }

            snapshot = await CaptureAsync(cancellationToken);
        }

        return (true, snapshot);
    }

    /// <summary>Pauses the app writer and waits until every member and the operator agree; the writer resumes afterwards.</summary>
    public async Task<(bool Reached, ClusterSnapshot Snapshot)> QuiesceAndConvergeAsync(CancellationToken cancellationToken)
    {
        if (Writer is not null)
        {
            Writer.Paused = true;
        }

        try
        {
            return await WaitForAsync(s => s.Converged, ConvergenceTimeout, cancellationToken);
        }
        finally
        {
            if (Writer is not null)
            {
                Writer.Paused = false;
            }
        }
    }
}
