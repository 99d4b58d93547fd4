namespace K8sReplication.Kube.Tests.Support;

/// <summary>
/// Tests that measure the whole test process (open file descriptors, managed heap) run in this collection: xUnit runs
/// it alone, after every parallel collection has finished, so other test classes' sockets and files do not count as
/// the measured code's leaks.
/// </summary>
[CollectionDefinition(nameof(ProcessWideMeasurements), DisableParallelization = true)]
public sealed class ProcessWideMeasurements;
