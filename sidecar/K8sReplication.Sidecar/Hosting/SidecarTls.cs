using System.Net.Security;
using System.Security.Authentication;
using System.Security.Cryptography.X509Certificates;
using K8sReplication.Sidecar.Configuration;
using K8sReplication.Sidecar.Security;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Server.Kestrel.Https;

namespace K8sReplication.Sidecar.Hosting;

/// <summary>
/// Mutual TLS on the replication listener: the start-up load of the TLS files (an unusable file is a config error
/// naming its key), and the handshake options each connection gets from the material in force.
/// </summary>
internal static class SidecarTls
{
    /// <summary>The TLS material for <paramref name="settings"/>, or null without TLS; throws <see cref="ConfigRejectedException"/> naming the file at fault.</summary>
    public static TlsMaterial? LoadAtStart(SidecarSettings settings)
    {
        if (settings.Tls is not { } tls)
        {
            return null;
        }

        try
        {
            return TlsMaterial.Load(tls.CertFile, tls.KeyFile, tls.CaFile);
        }
        catch (TlsMaterialException e)
        {
            var key = e.Part switch
            {
                TlsPart.Certificate => TlsSettings.CertKey,
                TlsPart.Key => TlsSettings.KeyKey,
                _ => TlsSettings.CaKey,
            };
            throw new ConfigRejectedException([new ConfigError(key, $"{e.Message} (set with {TlsSettings.Sources(key)})")]);
        }
    }

    /// <summary>
    /// Waits, up to <paramref name="wait"/>, while neither the certificate nor its key exists: the state of a Secret
    /// volume that holds no entry for this member yet (the operator issues a pod's certificate once the pod has an IP,
    /// and the kubelet delivers it a little later). One missing and the other present is a mistake, not a wait: the
    /// load that follows names it. Returns whether it waited.
    /// </summary>
    public static async Task<bool> WaitForIssuedAsync(SidecarSettings settings, TimeSpan wait, TimeProvider time, TextWriter log,
        CancellationToken cancellationToken)
    {
        if (settings.Tls is not { } tls || File.Exists(tls.CertFile) || File.Exists(tls.KeyFile))
        {
            return false;
        }

        await log.WriteLineAsync(
            $"k8srepl-sidecar: waiting up to {Contracts.Config.Durations.Format(wait)} for {TlsSettings.CertKey} '{tls.CertFile}' and {TlsSettings.KeyKey} '{tls.KeyFile}' to appear (a Secret volume receives a new member's certificate after the pod starts)")
            .ConfigureAwait(false);
        var start = time.GetTimestamp();
        while (!(File.Exists(tls.CertFile) && File.Exists(tls.KeyFile)) && time.GetElapsedTime(start) < wait)
        {
            await Task.Delay(FilePollInterval, time, cancellationToken).ConfigureAwait(false);
        }

        return true;
    }

    private static readonly TimeSpan FilePollInterval = TimeSpan.FromMilliseconds(250);

    /// <summary>The reloader of <paramref name="material"/>'s files, as a service and a tracked loop (nothing without TLS).</summary>
    public static void AddServices(IServiceCollection services, TlsMaterial? material, TlsSettings? tls)
    {
        if (material is null || tls is null)
        {
            return;
        }

        services.AddSingleton(sp => new CertificateReloader(material, tls.CertFile, tls.KeyFile, tls.CaFile,
            sp.GetRequiredService<TimeProvider>(), sp.GetRequiredService<ILogger<CertificateReloader>>()));
        services.AddHostedService(sp => sp.GetRequiredService<CertificateReloader>());
    }

    /// <summary>
    /// HTTPS only, client certificate required: each handshake takes the certificate and the CA bundle in force at
    /// that moment, so a rotation applies to every connection opened after it without restarting the listener.
    /// </summary>
    public static void UseMutualTls(ListenOptions listen, CertificateReloader tls)
    {
        // HTTP/1.1 as on the plain listener: the peer client speaks it, and the cost of TLS is then measured alone.
        listen.Protocols = HttpProtocols.Http1;
        listen.UseHttps(new TlsHandshakeCallbackOptions
        {
            OnConnection = _ => ValueTask.FromResult(ServerOptions(tls.Current)),
        });
    }

    private static SslServerAuthenticationOptions ServerOptions(TlsMaterial material) => new()
    {
        ServerCertificateContext = material.ServerContext,
        ClientCertificateRequired = true,
        EnabledSslProtocols = SslProtocols.Tls12 | SslProtocols.Tls13,
        CertificateRevocationCheckMode = X509RevocationMode.NoCheck,
        ApplicationProtocols = [SslApplicationProtocol.Http11],
        RemoteCertificateValidationCallback = (_, certificate, chain, _) => material.Trusts(certificate, chain, TlsMaterial.ClientAuth),
    };
}
