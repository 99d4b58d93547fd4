using System.Security.Cryptography;
using System.Text;
using K8sReplication.Contracts;

namespace K8sReplication.Sidecar.Security;

/// <summary>
/// Checks <c>Authorization: Bearer ...</c>, or the token alone in <see cref="TokenHeader"/>, against the token file (a
/// mounted Secret). The second form exists for callers that reach the sidecar through the API server's pod proxy, which
/// strips <c>Authorization</c> after authenticating the caller itself. The file is re-read when its
/// timestamp changes, so a rotated Secret takes effect without restart. Comparison is constant-time over SHA-256
/// digests, so neither content nor length leaks through timing. No token file configured: everything passes.
/// </summary>
internal sealed class BearerTokenAuthenticator(string? tokenFile)
{
    private readonly Lock _gate = new();
    private DateTime _stamp = DateTime.MinValue;
    private byte[]? _digest;
    private string? _token;

    /// <summary>Carries the bare token when <c>Authorization</c> cannot reach the sidecar.</summary>
    public const string TokenHeader = WellKnown.TokenHeader;

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

    /// <summary>The request's <c>Authorization</c> bearer token or, when it has none, its <see cref="TokenHeader"/>.</summary>
    public bool IsAuthorized(IHeaderDictionary headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return IsAuthorized(headers.Authorization, headers[TokenHeader]);
    }

    public bool IsAuthorized(string? authorizationHeader, string? tokenHeader = null)
    {
        if (tokenFile is null)
        {
            return true;
        }

        Refresh();
        var expected = _digest;
        string? presented;
        if (authorizationHeader is not null && authorizationHeader.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            presented = authorizationHeader[7..].Trim();
        }
        else
        {
            presented = tokenHeader?.Trim();
        }

        if (expected is null || string.IsNullOrEmpty(presented))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(SHA256.HashData(Encoding.UTF8.GetBytes(presented)), expected);
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
