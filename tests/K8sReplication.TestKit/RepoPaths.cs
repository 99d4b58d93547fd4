namespace K8sReplication.TestKit;

/// <summary>Locates the repository checkout from a test's output folder.</summary>
public static class RepoPaths
{
    private static readonly Lazy<string> LazyRoot = new(FindRoot);

    /// <summary>The folder holding K8sReplication.sln.</summary>
    public static string Root => LazyRoot.Value;

    private static string FindRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "K8sReplication.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException($"K8sReplication.sln not found above {AppContext.BaseDirectory}");
    }
}
