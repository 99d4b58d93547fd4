using System.Net;
using System.Runtime.CompilerServices;
using System.Security.Cryptography;
using Amazon.Runtime;
using Amazon.S3;
using Amazon.S3.Model;

namespace K8sReplication.Sidecar.Backup;

/// <summary>
/// A <see cref="IRemoteStore"/> in an S3 bucket (or an S3-compatible store through an endpoint override), under a key
/// prefix. Puts are conditional writes (<c>If-None-Match: *</c>) carrying Content-MD5, so the server refuses both an
/// overwrite and a torn upload; servers that ignore the condition are covered by an existence check first, which
/// leaves only a race between two writers of the same key on those.
/// </summary>
internal sealed class S3RemoteStore : IRemoteStore
{
    /// <summary>Keys per listing page (S3's maximum).</summary>
    public const int PageSize = 1000;

    private readonly S3StoreOptions _options;
    private readonly AmazonS3Client _client;

    public S3RemoteStore(S3StoreOptions options)
    {
        _options = options;
        _client = S3Clients.Create(options);
    }

    public string Describe => _options.Url;

    public async Task<bool> PutIfAbsentAsync(string key, ReadOnlyMemory<byte> content, CancellationToken ct)
    {
        RemoteKey.Check(key);
        try
        {
            if (await ExistsAsync(key, ct).ConfigureAwait(false))
            {
                return false;
            }

            using var body = new MemoryStream(content.ToArray(), writable: false);
            await _client.PutObjectAsync(new PutObjectRequest
            {
                BucketName = _options.Bucket,
                Key = _options.Prefix + key,
                InputStream = body,
                AutoCloseStream = false,
                IfNoneMatch = "*",
                MD5Digest = ContentMd5(content.Span),
                UseChunkEncoding = false,
            }, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode is HttpStatusCode.PreconditionFailed || e.ErrorCode is "PreconditionFailed" or "ConditionalRequestConflict")
        {
            return false; // another writer created it first (409 ConditionalRequestConflict: while we were writing)
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Failure("put", key, e);
        }
    }

    public async Task<byte[]?> GetAsync(string key, CancellationToken ct)
    {
        RemoteKey.Check(key);
        try
        {
            using var response = await _client.GetObjectAsync(_options.Bucket, _options.Prefix + key, ct).ConfigureAwait(false);
            using var buffer = new MemoryStream(response.ContentLength is > 0 and <= int.MaxValue ? (int)response.ContentLength : 0);
            await response.ResponseStream.CopyToAsync(buffer, ct).ConfigureAwait(false);
            return buffer.ToArray();
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            return null;
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Failure("get", key, e);
        }
    }

    public async IAsyncEnumerable<RemoteObject> ListAsync(string prefix, [EnumeratorCancellation] CancellationToken ct)
    {
        RemoteKey.CheckPrefix(prefix);
        var request = new ListObjectsV2Request { BucketName = _options.Bucket, Prefix = _options.Prefix + prefix, MaxKeys = PageSize };
        while (true)
        {
            ListObjectsV2Response page;
            try
            {
                page = await _client.ListObjectsV2Async(request, ct).ConfigureAwait(false);
            }
            catch (Exception e) when (IsStoreFailure(e, ct))
            {
                throw Failure("list", prefix, e);
            }

            foreach (var found in page.S3Objects ?? [])
            {
                yield return new RemoteObject(found.Key[_options.Prefix.Length..], found.Size ?? 0,
                    found.LastModified is { } modified ? new DateTimeOffset(modified.ToUniversalTime()) : DateTimeOffset.UnixEpoch);
            }

            if (page.IsTruncated != true || string.IsNullOrEmpty(page.NextContinuationToken))
            {
                yield break;
            }

            request.ContinuationToken = page.NextContinuationToken;
        }
    }

    public async Task DeleteAsync(string key, CancellationToken ct)
    {
        RemoteKey.Check(key);
        try
        {
            await _client.DeleteObjectAsync(_options.Bucket, _options.Prefix + key, ct).ConfigureAwait(false);
        }
        catch (AmazonS3Exception e) when (e.ErrorCode == "NoSuchKey")
        {
            // Absent already (S3 itself answers 204; some compatible stores answer 404).
        }
        catch (Exception e) when (IsStoreFailure(e, ct))
        {
            throw Failure("delete", key, e);
        }
    }

    public void Dispose() => _client.Dispose();

    /// <summary>
    /// Content-MD5 is what every S3-compatible server checks against the body it received, so an upload cut short or
    /// damaged on the way is refused rather than stored. An integrity check the protocol prescribes, not a security
    /// measure: collisions would take an attacker who already writes to the bucket.
    /// </summary>
#pragma warning disable CA5351 // MD5 is the protocol's Content-MD5, see above
    private static string ContentMd5(ReadOnlySpan<byte> content) => Convert.ToBase64String(MD5.HashData(content));
#pragma warning restore CA5351

    /// <summary>HEAD of the object: true when it exists. A 404 carries no error code (HEAD has no body).</summary>
    private async Task<bool> ExistsAsync(string key, CancellationToken ct)
    {
        try
        {
            await _client.GetObjectMetadataAsync(_options.Bucket, _options.Prefix + key, ct).ConfigureAwait(false);
            return true;
        }
        catch (AmazonS3Exception e) when (e.StatusCode == HttpStatusCode.NotFound && e.ErrorCode != "NoSuchBucket")
        {
            return false; // a missing bucket surfaces as NoSuchBucket on the put that follows
        }
    }

    /// <summary>A failure of the store (not our cancellation): reported as a <see cref="RemoteStoreException"/>.</summary>
    private static bool IsStoreFailure(Exception e, CancellationToken ct) =>
        e is AmazonServiceException or AmazonClientException or HttpRequestException or IOException
        || (e is OperationCanceledException && !ct.IsCancellationRequested); // the SDK's own timeout

    private RemoteStoreException Failure(string operation, string key, Exception e)
    {
        var store = _options.ToString();
        return e switch
        {
            AmazonServiceException service => new RemoteStoreException(store, operation, key, service.ErrorCode ?? $"HTTP {(int)service.StatusCode}",
                IsTransient(service), Explain(service), e),
            _ => new RemoteStoreException(store, operation, key, errorCode: null, isTransient: true, Causes(e), e),
        };
    }

    /// <summary>Server errors and throttling pass; a missing bucket, refused access or bad credentials need a person.</summary>
    private static bool IsTransient(AmazonServiceException e) =>
        (int)e.StatusCode >= 500 || e.StatusCode is HttpStatusCode.TooManyRequests or HttpStatusCode.RequestTimeout
        || e.ErrorCode is "SlowDown" or "RequestTimeout" or "RequestTimeTooSkewed" or "InternalError" or "ServiceUnavailable";

    private static string Explain(AmazonServiceException e) => e.ErrorCode switch
    {
        "NoSuchBucket" => "the bucket does not exist",
        "AccessDenied" => "access denied (check the credentials' permissions on the bucket)",
        "InvalidAccessKeyId" => "the access key id is not known to the store",
        "SignatureDoesNotMatch" => "the secret access key does not match the access key id",
        "ExpiredToken" or "InvalidToken" => "the session token is expired or invalid",
        _ => $"HTTP {(int)e.StatusCode}: {e.Message}",
    };

    /// <summary>
    /// The chain of causes, outermost first, without repeats: "Error calling AssumeRole for role ...: Connection refused
    /// (127.0.0.1:9000)" says both what the SDK was doing and why it failed.
    /// </summary>
    private static string Causes(Exception e)
    {
        var messages = new List<string>();
        for (Exception? cause = e; cause is not null; cause = cause.InnerException)
        {
            if (!messages.Exists(m => m.Contains(cause.Message, StringComparison.Ordinal)))
            {
                messages.Add(cause.Message);
            }
        }

        return string.Join(": ", messages);
    }
}
