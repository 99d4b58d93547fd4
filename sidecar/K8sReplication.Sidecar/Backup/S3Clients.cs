using Amazon;
using Amazon.Runtime;
using Amazon.RuntimeDependencies;
using Amazon.S3;
using Amazon.SecurityToken;

namespace K8sReplication.Sidecar.Backup;

/// <summary>Builds the S3 client of an <see cref="S3RemoteStore"/>: endpoint, region, credentials and the SDK settings the store relies on.</summary>
internal static class S3Clients
{
    /// <summary>Where the region is neither given nor found by the SDK (environment, profile).</summary>
    public const string DefaultRegion = "us-east-1";

    private static readonly Lazy<bool> StsRegistered = new(RegisterSecurityTokenService);

    public static AmazonS3Client Create(S3StoreOptions options)
    {
        _ = StsRegistered.Value;
        var region = options.Credentials?.Region is { Length: > 0 } named
            ? RegionEndpoint.GetBySystemName(named)
            : FallbackRegionFactory.GetRegionEndpoint() ?? RegionEndpoint.GetBySystemName(DefaultRegion);
        var config = new AmazonS3Config
        {
            RegionEndpoint = region,

            // Checksums only where S3 requires them: S3-compatible servers do not all know the newer checksum headers,
            // and every put sends Content-MD5, which every one of them checks.
            RequestChecksumCalculation = RequestChecksumCalculation.WHEN_REQUIRED,
            ResponseChecksumValidation = ResponseChecksumValidation.WHEN_REQUIRED,

            // A few quick retries inside a call; the archiver's own rounds retry for longer.
            MaxErrorRetry = 2,
            ConnectTimeout = TimeSpan.FromSeconds(10),
            Timeout = TimeSpan.FromSeconds(60),
        };
        if (options.Endpoint is { } endpoint)
        {
            // Setting ServiceURL clears RegionEndpoint: the region stays the one requests are signed for.
            config.ServiceURL = endpoint;
            config.AuthenticationRegion = region.SystemName;
            config.ForcePathStyle = true;
        }

        return Credentials(options) is { } credentials ? new AmazonS3Client(credentials, config) : new AmazonS3Client(config);
    }

    /// <summary>Static credentials when given, else null: the SDK's default chain (environment, web identity, instance profile).</summary>
    private static AWSCredentials? Credentials(S3StoreOptions options)
    {
        if (options.Credentials is not { } given || (string.IsNullOrEmpty(given.AccessKeyId) && string.IsNullOrEmpty(given.SecretAccessKey)))
        {
            return null;
        }

        if (string.IsNullOrEmpty(given.AccessKeyId) || string.IsNullOrEmpty(given.SecretAccessKey))
        {
            throw new ArgumentException("backup credentials need both an access key id and a secret access key", nameof(options));
        }

        return string.IsNullOrEmpty(given.SessionToken)
            ? new BasicAWSCredentials(given.AccessKeyId, given.SecretAccessKey)
            : new SessionAWSCredentials(given.AccessKeyId, given.SecretAccessKey, given.SessionToken);
    }

    /// <summary>
    /// Web identity credentials (IRSA: a projected service-account token exchanged for a role) need an STS client,
    /// which the SDK otherwise loads by reflection from AWSSDK.SecurityToken — trimmed away under Native AOT. The
    /// exchange is unsigned, hence anonymous credentials.
    /// </summary>
    private static bool RegisterSecurityTokenService()
    {
        GlobalRuntimeDependencyRegistry.Instance.RegisterSecurityTokenServiceClient(context =>
            new AmazonSecurityTokenServiceClient(new AnonymousAWSCredentials(), context.SecurityTokenServiceClientContextData.Region));
        return true;
    }
}
