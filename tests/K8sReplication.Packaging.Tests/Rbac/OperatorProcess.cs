using System.Diagnostics;
using System.Reflection;
using System.Text;

namespace K8sReplication.Packaging.Tests.Rbac;

/// <summary>The real, built operator (<c>dotnet k8srepl-operator.dll</c>) run against the emulator.</summary>
public sealed class OperatorProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly StringBuilder _output = new();

    private OperatorProcess(Process process)
    {
        _process = process;
        process.OutputDataReceived += (_, e) => Append(e.Data);
        process.ErrorDataReceived += (_, e) => Append(e.Data);
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
    }

    public static string Dll =>
        Environment.GetEnvironmentVariable("K8SREPL_OPERATOR_DLL") is { Length: > 0 } fromEnv
            ? fromEnv
            : typeof(OperatorProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "OperatorDll").Value!;

    public string Output
    {
        get
        {
            lock (_output)
            {
                return _output.ToString();
            }
        }
    }

    public bool HasExited => _process.HasExited;

    public static OperatorProcess Start(IEnumerable<string> args)
    {
        if (!File.Exists(Dll))
        {
            throw new FileNotFoundException($"operator not built at {Dll}; build tests/K8sReplication.Packaging.Tests (it builds the operator) or set K8SREPL_OPERATOR_DLL", Dll);
        }

        var info = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        info.ArgumentList.Add(Dll);
        foreach (var arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        info.Environment["KUBECONFIG"] = "/nonexistent/kubeconfig";
        info.Environment["POD_NAME"] = "k8srepl-operator-rbac-test";
        return new OperatorProcess(Process.Start(info) ?? throw new InvalidOperationException("could not start the operator"));
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        await _process.WaitForExitAsync();
        _process.Dispose();
    }

    private void Append(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.AppendLine(line);
        }
    }
}
