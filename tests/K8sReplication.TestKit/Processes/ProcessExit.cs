namespace K8sReplication.TestKit.Processes;

/// <summary>How a process that was run to completion ended.</summary>
public sealed record ProcessExit(int ExitCode, string Stdout, string Stderr);
