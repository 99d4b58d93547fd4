using System.Runtime.InteropServices;
using System.Security.Cryptography.X509Certificates;

namespace K8sReplication.TestKit.Tls;

/// <summary>
/// A folder laid out and updated the way the kubelet projects a Secret volume (its AtomicWriter): the files live in a
/// timestamped folder, <c>..data</c> is a symlink to it, and each key (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>)
/// is a symlink through <c>..data</c>. An update writes a new timestamped folder and renames a new symlink over
/// <c>..data</c>, so every key changes at the same instant, then deletes the old folder.
/// </summary>
public sealed partial class SecretVolume
{
    public const string CertKey = "tls.crt";
    public const string KeyKey = "tls.key";
    public const string CaKey = "ca.crt";

    private int _version;

    public SecretVolume(string folder)
    {
        Folder = folder;
        Directory.CreateDirectory(folder);
    }

    public string Folder { get; }

    public string CertFile => Path.Combine(Folder, CertKey);

    public string KeyFile => Path.Combine(Folder, KeyKey);

    public string CaFile => Path.Combine(Folder, CaKey);

    /// <summary>The sidecar's flags pointing at this volume.</summary>
    public IReadOnlyList<string> Flags => ["--tls-cert", CertFile, "--tls-key", KeyFile, "--tls-ca", CaFile];

    /// <summary>Writes <paramref name="leaf"/> (with its key) and the CA bundle of <paramref name="authorities"/> as one update.</summary>
    public void Write(X509Certificate2 leaf, params IEnumerable<TestCertificateAuthority> authorities) =>
        Write(new Dictionary<string, string>
        {
            [CertKey] = TestCertificateAuthority.CertificatePemOf(leaf),
            [KeyKey] = TestCertificateAuthority.KeyPemOf(leaf),
            [CaKey] = string.Concat(authorities.Select(a => a.CertificatePem + "\n")),
        });

    /// <summary>One atomic update of every key (keys not given keep their previous content).</summary>
    public void Write(IReadOnlyDictionary<string, string> files)
    {
        var data = Path.Combine(Folder, "..data");
        var previous = File.Exists(data) || Directory.Exists(data) ? new FileInfo(data).LinkTarget : null;
        // A fresh folder every time, as the kubelet's: two volumes over one folder (or two writes in one second) must
        // not land in the same one.
        string target;
        do
        {
            target = Path.Combine(Folder, $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{++_version}");
        }
        while (Directory.Exists(target));

        Directory.CreateDirectory(target);
        if (previous is not null)
        {
            foreach (var file in Directory.GetFiles(Path.Combine(Folder, previous)))
            {
                File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
            }
        }

        foreach (var (key, content) in files)
        {
            File.WriteAllText(Path.Combine(target, key), content);
        }

        var temp = Path.Combine(Folder, "..data_tmp");
        File.Delete(temp);
        File.CreateSymbolicLink(temp, Path.GetFileName(target));
        // rename(2) of the new link over the old one: the swap is atomic (File.Move would refuse a link to a folder).
        if (Rename(temp, data) != 0)
        {
            throw new IOException($"rename {temp} -> {data} failed: errno {Marshal.GetLastPInvokeError()}");
        }
        foreach (var key in Directory.GetFiles(target).Select(Path.GetFileName))
        {
            var link = Path.Combine(Folder, key!);
            if (!File.Exists(link))
            {
                File.CreateSymbolicLink(link, Path.Combine("..data", key!));
            }
        }

        if (previous is not null)
        {
            Directory.Delete(Path.Combine(Folder, previous), recursive: true);
        }
    }

    [DllImport("libc", EntryPoint = "rename", SetLastError = true)]
    private static extern int Rename([MarshalAs(UnmanagedType.LPUTF8Str)] string from, [MarshalAs(UnmanagedType.LPUTF8Str)] string to);
}
