namespace K8sReplication.TestKit.Kube;

/// <summary>
/// A kubeconfig for the emulator whose user is an <c>exec</c> credential plugin, as on EKS, GKE or Entra-ID AKS: a small
/// shell script that prints an <c>ExecCredential</c> carrying <see cref="Token"/> and appends a line to
/// <see cref="InvocationLog"/> each time a client runs it.
/// </summary>
public sealed class ExecCredentialKubeconfig
{
    private ExecCredentialKubeconfig(string path, string script, string log, string token)
    {
        Path = path;
        Script = script;
        InvocationLog = log;
        Token = token;
    }

    /// <summary>The kubeconfig file.</summary>
    public string Path { get; }

    /// <summary>The credential plugin (an executable shell script).</summary>
    public string Script { get; }

    public string InvocationLog { get; }

    /// <summary>The bearer token the plugin hands out (make the emulator accept only it to prove the plugin was used).</summary>
    public string Token { get; }

    /// <summary>How often a client has run the plugin so far.</summary>
    public int Invocations => File.Exists(InvocationLog) ? File.ReadAllLines(InvocationLog).Length : 0;

    /// <summary>Writes the script and the kubeconfig into <paramref name="folder"/>.</summary>
    public static ExecCredentialKubeconfig Write(ApiServerEmulator emulator, string folder, string @namespace = "default")
    {
        ArgumentNullException.ThrowIfNull(emulator);
        Directory.CreateDirectory(folder);
        var token = "exec-" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16));
        var script = System.IO.Path.Combine(folder, "exec-credential.sh");
        var log = System.IO.Path.Combine(folder, "exec-credential.log");
        var credential = "{\"apiVersion\":\"client.authentication.k8s.io/v1\",\"kind\":\"ExecCredential\",\"status\":{\"token\":\"" + token + "\"}}";
        File.WriteAllText(script, $"#!/bin/sh\necho \"$$\" >> '{log}'\nprintf '%s\\n' '{credential}'\n");
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(script, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
        var path = System.IO.Path.Combine(folder, "exec-kubeconfig");
        File.WriteAllText(path, $$"""
            apiVersion: v1
            kind: Config
            clusters:
            - name: emulator
              cluster:
                server: {{emulator.Url.ToString().TrimEnd('/')}}
            contexts:
            - name: emulator
              context:
                cluster: emulator
                namespace: {{@namespace}}
                user: exec-plugin
            current-context: emulator
            users:
            - name: exec-plugin
              user:
                exec:
                  apiVersion: client.authentication.k8s.io/v1
                  command: {{script}}
                  interactiveMode: Never

            """);
        return new ExecCredentialKubeconfig(path, script, log, token);
    }
}
