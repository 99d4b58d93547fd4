using K8sReplication.Contracts.Config;

namespace K8sReplication.Sidecar.Backup;

/// <summary>Where an S3 store is and how to reach it: bucket, key prefix (empty or ending with '/'), endpoint override, credentials.</summary>
internal sealed record S3StoreOptions(string Bucket, string Prefix, string? Endpoint, BackupCredentials? Credentials)
{
    /// <summary>The store as a URL, for messages: <c>s3://bucket/prefix/</c>.</summary>
    public string Url => $"s3://{Bucket}/{Prefix}";

    /// <summary>Never prints the credentials.</summary>
    public override string ToString() => Endpoint is null ? Url : $"{Url} at {Endpoint}";
}
