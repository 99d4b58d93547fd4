using System.Security.Cryptography;
using System.Text;

namespace K8sReplication.Sidecar.Security;

/// <summary>
/// Checks <c>Authorization: Bearer ...</c> against the token file (a mounted Secret). The file is re-read when its
/// timestamp changes, so a rotated Secret takes effect without restart. Comparison is constant-time over SHA-256
/// digests, so neither content nor length leaks through timing. No token file configured: everything passes.
/// </summary>
internal sealed class BearerTokenAuthenticator(string? tokenFile)
{
    private readonly Lock _gate = new();
    private DateTime _stamp = DateTime.MinValue;
    private byte[]? _digest;
    private string? _token;

    public bool Enabled => tokenFile is not null;

    /// <summary>The token to send to peers (the mesh shares one Secret); null when auth is off or unreadable.</summary>
    public string? Token
    {
        get
        {
            Refresh();
            return _token;
        }
    }

    public bool IsAuthorized(string? authorizationHeader)
    {
        if (tokenFile is null)
        {
            return true;
        }

        Refresh();
        var expected = _digest;
        if (expected is null || authorizationHeader is null
            || !authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return false;
        }

        var presented = SHA256.HashData(Encoding.UTF8.GetBytes(authorizationHeader[7..].Trim()));
        return CryptographicOperations.FixedTimeEquals(presented, expected);
    }

    private void Refresh()
    {
        if (tokenFile is null)
        {
            return;
        }

        lock (_gate)
        {
            try
            {
                var stamp = File.GetLastWriteTimeUtc(tokenFile);
                if (stamp == _stamp && _digest is not null)
                {
                    return;
                }

                var token = File.ReadAllText(tokenFile).Trim();
                _stamp = stamp;
                _token = token.Length == 0 ? null : token;

                // An empty token file would let an empty bearer in: treat it as "no valid token".
                _digest = token.Length == 0 ? null : SHA256.HashData(Encoding.UTF8.GetBytes(token));
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                _digest = null;
                _token = null;
            }
        }
    }
}
