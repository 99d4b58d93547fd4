using K8sReplication.Bench.Suite;

namespace K8sReplication.Bench.Peers;

/// <summary>
/// Finds redis-server and the PostgreSQL binaries; when missing and we are root on Debian, installs them with apt-get
/// (`redis-server`, `postgresql`). Otherwise returns null with the install hint for the table.
/// </summary>
internal static class PeerInstaller
{
    public const string RedisHint = "not installed: run as root on Debian (the command installs it) or `sudo apt-get install redis-server`";
    public const string PostgresHint = "not installed: run as root on Debian (the command installs it) or `sudo apt-get install postgresql`";

    public static string? Redis(bool install)
    {
        var found = Shell.Which("redis-server");
        if (found is null && install && TryApt("redis-server"))
        {
            found = Shell.Which("redis-server");
        }

        return found;
    }

    /// <summary>The folder holding initdb, pg_ctl and psql.</summary>
    public static string? PostgresBin(bool install)
    {
        var found = Find();
        if (found is null && install && TryApt("postgresql"))
        {
            found = Find();
        }

        return found;

        static string? Find()
        {
            if (Directory.Exists("/usr/lib/postgresql"))
            {
                foreach (var v in Directory.GetDirectories("/usr/lib/postgresql").OrderDescending())
                {
                    if (File.Exists(Path.Combine(v, "bin", "initdb")))
                    {
                        return Path.Combine(v, "bin");
                    }
                }
            }

            return Shell.Which("initdb") is { } initdb ? Path.GetDirectoryName(initdb) : null;
        }
    }

    private static bool TryApt(string package)
    {
        if (Environment.UserName != "root" || Shell.Which("apt-get") is null)
        {
            return false;
        }

        Console.Error.WriteLine($"installing {package} with apt-get ...");
        try
        {
            Shell.Run("apt-get", ["install", "-y", "--no-install-recommends", package], timeout: TimeSpan.FromMinutes(10));
            return true;
        }
        catch (InvalidOperationException)
        {
            Shell.Run("apt-get", ["update"], check: false, timeout: TimeSpan.FromMinutes(10));
            Shell.Run("apt-get", ["install", "-y", "--no-install-recommends", package], check: false, timeout: TimeSpan.FromMinutes(10));
            return true;
        }
    }
}
