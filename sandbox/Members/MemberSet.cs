namespace K8sReplication.Sandbox.Members;

/// <summary>The members started so far (the add-member scenario grows it while the writer and the view read it).</summary>
internal sealed class MemberSet : IDisposable
{
    private readonly Lock _gate = new();
    private readonly List<Member> _members = [];

    public IReadOnlyList<Member> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _members];
            }
        }
    }

    public void Add(Member member)
    {
        lock (_gate)
        {
            _members.Add(member);
        }
    }

    public Member Get(string name) => All.First(m => m.Name == name);

    public async Task StopAllAsync() => await Task.WhenAll(All.Select(m => m.StopAsync()));

    public void Dispose()
    {
        foreach (var member in All)
        {
            member.Dispose();
        }
    }
}
