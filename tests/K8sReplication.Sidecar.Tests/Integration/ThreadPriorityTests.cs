using System.Globalization;
using K8sReplication.TestKit.Processes;
using K8sReplication.TestKit.Sqlite;

namespace K8sReplication.Sidecar.Tests.Integration;

/// <summary>The sidecar runs its threads behind the app's (Linux nice value, <c>hotPath.niceness</c>).</summary>
public sealed class ThreadPriorityTests
{
    [Theory]
    [InlineData(null, 10)]
    [InlineData(0, 0)]
    [InlineData(15, 15)]
    public async Task EveryThread_RunsAtTheConfiguredNiceValue(int? configured, int expected)
    {
        Assert.True(OperatingSystem.IsLinux(), "the sidecar targets Linux; nice values are read from /proc");
        using var db = new TempDatabase();
        using (var c = db.OpenConnection())
        {
            c.Execute(TestMesh.ItemsSchema);
        }

        var configFile = Path.Combine(db.Folder, "config.yaml");
        await File.WriteAllTextAsync(configFile, configured is { } n ? $"hotPath:\n  niceness: {n}\n" : "peers: []\n");
        await using var sidecar = await SidecarProcess.StartAsync(["--database", db.FilePath, "--listen", "127.0.0.1:0", "--admin-listen", "127.0.0.1:0", "--config", configFile, "--node-name", "me"]);
        var nice = NiceValues(sidecar.Pid);
        Assert.NotEmpty(nice);
        Assert.All(nice, v => Assert.Equal(expected, v));
        Assert.Equal(0, NiceValues(Environment.ProcessId).Max()); // the test itself is not lowered
    }

    /// <summary>Nice value of every thread of a process: field 19 of /proc/PID/task/TID/stat.</summary>
    private static List<int> NiceValues(int pid)
    {
        var values = new List<int>();
        foreach (var task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            string stat;
            try
            {
                stat = File.ReadAllText(Path.Combine(task, "stat"));
            }
            catch (IOException)
            {
                continue; // the thread ended meanwhile
            }

            // The command name (field 2) is in parentheses and may hold spaces: count fields after its closing one.
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            values.Add(int.Parse(fields[16], CultureInfo.InvariantCulture)); // field 19 overall = index 16 after field 2
        }

        return values;
    }
}
