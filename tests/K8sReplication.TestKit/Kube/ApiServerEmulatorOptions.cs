namespace K8sReplication.TestKit.Kube;

/// <summary>Settings of an <see cref="ApiServerEmulator"/>.</summary>
public sealed class ApiServerEmulatorOptions
{
    /// <summary>Port on 127.0.0.1; 0 picks a free one.</summary>
    public int Port { get; set; }

    /// <summary>Events kept for watch resume; a watch from an older resourceVersion gets 410 Expired.</summary>
    public int HistoryLimit { get; set; } = 1000;

    /// <summary>How often a watch that asked for bookmarks gets one.</summary>
    public TimeSpan BookmarkInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Clock for timestamps, ages, bookmarks and watch timeouts.</summary>
    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;
}
