using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json.Nodes;
using k8s;
using k8s.Autorest;
using k8s.Models;
using K8sReplication.Contracts;
using K8sReplication.Kube.Client;
using K8sReplication.Operator.Pki;

namespace K8sReplication.Operator.Webhook;

/// <summary>
/// Keeps the webhook's certificates: makes or renews them in the webhook Secret, loads the serving certificate into
/// <see cref="ServingCertificate"/>, and keeps the caBundle of every webhook of the MutatingWebhookConfiguration equal
/// to the Secret's authorities. Every replica runs it, leader or not, since every replica serves the webhook: the
/// Secret is the single source (created only if absent, replaced only with its resourceVersion, so of two replicas
/// writing at once one wins and the other re-reads), and all replicas compute the same bundle from it, so their
/// caBundle patches agree.
/// </summary>
internal sealed partial class WebhookCertificateKeeper
{
    /// <summary>How often each replica re-reads the Secret and the configuration even when nothing is due (another replica may have renewed).</summary>
    public static readonly TimeSpan Recheck = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);

    private readonly IKubernetes _client;
    private readonly WebhookOptions _options;
    private readonly string _namespace;
    private readonly string _secretName;
    private readonly IReadOnlyList<string> _dnsNames;
    private readonly ServingCertificate _serving;
    private readonly PkiOptions _pki;
    private readonly ILogger _logger;
    private readonly TimeProvider _time;
    private string? _servingFingerprint;

    public WebhookCertificateKeeper(IKubernetes client, WebhookOptions options, string @namespace, ServingCertificate serving, PkiOptions pki, ILogger logger, TimeProvider time)
    {
        _client = client;
        _options = options;
        _namespace = @namespace;
        _secretName = options.SecretName ?? options.ServiceName + "-tls";
        _dnsNames = WebhookOptions.DnsNames(options.ServiceName, @namespace);
        _serving = serving;
        _pki = pki;
        _logger = logger;
        _time = time;
    }

    /// <summary>True once the configuration's caBundle was seen equal to the Secret's authorities.</summary>
    public bool BundleCurrent { get; private set; }

    public async Task RunAsync(CancellationToken stopping)
    {
        var backoff = TimeSpan.FromSeconds(1);
        while (!stopping.IsCancellationRequested)
        {
            TimeSpan next;
            try
            {
                next = await RoundAsync(stopping).ConfigureAwait(false);
                backoff = TimeSpan.FromSeconds(1);
            }
            catch (HttpOperationException e)
            {
                LogRoundFailed(_logger, e.Describe());
                next = backoff;
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
            catch (HttpRequestException e)
            {
                LogRoundFailed(_logger, e.Message);
                next = backoff;
                backoff = backoff * 2 < MaxBackoff ? backoff * 2 : MaxBackoff;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            try
            {
                await Task.Delay(next < Recheck ? next : Recheck, _time, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>One look: returns when to look again.</summary>
    internal async Task<TimeSpan> RoundAsync(CancellationToken cancellationToken)
    {
        while (true)
        {
            var secret = await _client.CoreV1.ReadNamespacedSecretAsync(_secretName, _namespace, cancellationToken: cancellationToken).NullWhenNotFound().ConfigureAwait(false);
            // The serving certificate must load even when the configuration cannot be read (not installed yet, or
            // RBAC missing): then nothing is promoted and the round ends early, after loading.
            V1MutatingWebhookConfiguration? configuration = null;
            string? unreadable = null;
            try
            {
                configuration = await _client.AdmissionregistrationV1
                    .ReadMutatingWebhookConfigurationAsync(_options.ConfigurationName, cancellationToken: cancellationToken).NullWhenNotFound().ConfigureAwait(false);
            }
            catch (HttpOperationException e)
            {
                unreadable = e.Describe();
            }

            var plan = WebhookCertificates.Plan(
                secret?.Data is { } data ? new Dictionary<string, byte[]>(data, StringComparer.Ordinal) : null,
                _dnsNames, ObservedBundle(configuration), _time.GetUtcNow(), _pki);
            if (plan.Changed && !await WriteAsync(secret, plan, cancellationToken).ConfigureAwait(false))
            {
                continue; // another replica wrote first: plan again from what it wrote
            }

            foreach (var note in plan.Notes)
            {
                LogNote(_logger, _secretName, note);
            }

            Load(plan.Data);
            if (configuration is null)
            {
                LogConfigurationMissing(_logger, _options.ConfigurationName, unreadable ?? "not found");
                BundleCurrent = false;
                return plan.RequeueAfter < RetryWithoutConfiguration ? plan.RequeueAfter : RetryWithoutConfiguration;
            }

            await PatchBundleAsync(configuration, plan.CaBundle, cancellationToken).ConfigureAwait(false);
            BundleCurrent = true;
            return plan.RequeueAfter;
        }
    }

    private static readonly TimeSpan RetryWithoutConfiguration = TimeSpan.FromSeconds(10);

    /// <summary>Creates or replaces the Secret; false when another writer got there first (409).</summary>
    private async Task<bool> WriteAsync(V1Secret? stored, WebhookCertificatePlan plan, CancellationToken cancellationToken)
    {
        var secret = new V1Secret
        {
            Metadata = new V1ObjectMeta
            {
                Name = _secretName,
                NamespaceProperty = _namespace,
                ResourceVersion = stored?.Metadata.ResourceVersion,
                Labels = new Dictionary<string, string> { [Labels.ManagedBy] = Labels.ManagedByValue },
            },
            Type = "Opaque",
            Data = plan.Data.ToDictionary(kv => kv.Key, kv => kv.Value, StringComparer.Ordinal),
        };
        try
        {
            if (stored is null)
            {
                await _client.CoreV1.CreateNamespacedSecretAsync(secret, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }
            else
            {
                await _client.CoreV1.ReplaceNamespacedSecretAsync(secret, _secretName, _namespace, cancellationToken: cancellationToken).ConfigureAwait(false);
            }

            return true;
        }
        catch (HttpOperationException e) when (e.IsConflict())
        {
            return false;
        }
    }

    private void Load(IReadOnlyDictionary<string, byte[]> data)
    {
        var serving = WebhookCertificates.Serving(data) ?? throw new InvalidOperationException("the planned webhook Secret holds no serving certificate");
        if (serving.Fingerprint == _servingFingerprint)
        {
            return;
        }

        _serving.Set(X509Certificate2.CreateFromPem(serving.CertificatePem, serving.PrivateKeyPem));
        _servingFingerprint = serving.Fingerprint;
        LogLoaded(_logger, serving.Fingerprint, serving.NotAfter);
    }

    /// <summary>Sets every webhook's caBundle to the bundle, only where it differs; each change is fenced by the webhook's name at that index.</summary>
    private async Task PatchBundleAsync(V1MutatingWebhookConfiguration configuration, string bundle, CancellationToken cancellationToken)
    {
        var bytes = Encoding.UTF8.GetBytes(bundle);
        var ops = new JsonArray();
        var webhooks = configuration.Webhooks ?? [];
        for (var i = 0; i < webhooks.Count; i++)
        {
            if (webhooks[i].ClientConfig?.CaBundle is { } current && current.AsSpan().SequenceEqual(bytes))
            {
                continue;
            }

            ops.Add((JsonNode)new JsonObject { ["op"] = "test", ["path"] = $"/webhooks/{i}/name", ["value"] = webhooks[i].Name });
            ops.Add((JsonNode)new JsonObject { ["op"] = "add", ["path"] = $"/webhooks/{i}/clientConfig/caBundle", ["value"] = Convert.ToBase64String(bytes) });
        }

        if (ops.Count == 0)
        {
            return;
        }

        await _client.AdmissionregistrationV1.PatchMutatingWebhookConfigurationAsync(
            new V1Patch(ops.ToJsonString(), V1Patch.PatchType.JsonPatch), _options.ConfigurationName, cancellationToken: cancellationToken).ConfigureAwait(false);
        LogBundlePatched(_logger, _options.ConfigurationName, ops.Count / 2);
    }

    /// <summary>The caBundle the API server uses now: the one every webhook shares, or null when they differ or none is set.</summary>
    private static string? ObservedBundle(V1MutatingWebhookConfiguration? configuration)
    {
        var bundles = (configuration?.Webhooks ?? []).Select(w => w.ClientConfig?.CaBundle is { Length: > 0 } b ? Encoding.UTF8.GetString(b) : null).Distinct().ToList();
        return bundles.Count == 1 ? bundles[0] : null;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Webhook certificates: round failed, retrying: {Error}")]
    private static partial void LogRoundFailed(ILogger logger, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook certificates (Secret {Secret}): {Note}")]
    private static partial void LogNote(ILogger logger, string secret, string note);

    [LoggerMessage(Level = LogLevel.Information, Message = "Webhook serving certificate loaded: {Fingerprint}, valid until {NotAfter}")]
    private static partial void LogLoaded(ILogger logger, string fingerprint, DateTimeOffset notAfter);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MutatingWebhookConfiguration {Configuration} (--webhook-configuration) cannot be read ({Error}): its caBundle cannot be set; the API server will not trust the webhook")]
    private static partial void LogConfigurationMissing(ILogger logger, string configuration, string error);

    [LoggerMessage(Level = LogLevel.Information, Message = "MutatingWebhookConfiguration {Configuration}: caBundle updated on {Webhooks} webhooks")]
    private static partial void LogBundlePatched(ILogger logger, string configuration, int webhooks);
}
