namespace K8sReplication.Operator.Runtime;

/// <summary>What the host needs of any informer: run it and know when its cache is filled.</summary>
internal interface IInformer
{
    string Resource { get; }

    bool HasSynced { get; }

    Task Synced { get; }

    Task RunAsync(CancellationToken cancellationToken);
}
