using System.Net;
using System.Text.RegularExpressions;
using K8sReplication.Operator.Injection;
using K8sReplication.Operator.Webhook;

namespace K8sReplication.Operator.Hosting;

/// <summary>
/// The webhook's flags as read, then checked together: <c>--webhook-listen</c> turns the webhook on and needs
/// <c>--webhook-configuration</c> and <c>--sidecar-image</c>; the other webhook flags without it are an error (they
/// would silently do nothing).
/// </summary>
internal sealed partial class WebhookFlags
{
    private readonly List<string> _given = [];
    private IPEndPoint? _listen;
    private string? _configuration;
    private string? _service;
    private string? _serviceNamespace;
    private string? _secret;
    private string? _image;
    private SidecarMode _mode = InjectionOptions.DefaultMode;
    private Dictionary<string, string> _requests = [];
    private Dictionary<string, string> _limits = [];

    /// <summary>Reads one webhook flag; false when <paramref name="flag"/> is not one.</summary>
    public bool TryParse(string flag, Func<string> value)
    {
        switch (flag)
        {
            case "--webhook-listen":
                _listen = OperatorCommandLine.Endpoint(flag, value());
                break;
            case "--webhook-configuration":
                _configuration = Name(flag, value());
                break;
            case "--webhook-service":
                _service = Name(flag, value());
                break;
            case "--webhook-service-namespace":
                _serviceNamespace = Name(flag, value());
                break;
            case "--webhook-secret":
                _secret = Name(flag, value());
                break;
            case "--sidecar-image":
                _image = ImageReference(flag, value());
                break;
            case "--sidecar-mode":
                _mode = value() switch
                {
                    "native" => SidecarMode.Native,
                    "classic" => SidecarMode.Classic,
                    var other => throw new FormatException($"{flag}: '{other}' is not native or classic"),
                };
                break;
            case "--sidecar-requests":
                _requests = Resources(flag, value());
                break;
            case "--sidecar-limits":
                _limits = Resources(flag, value());
                break;
            default:
                return false;
        }

        _given.Add(flag);
        return true;
    }

    public (WebhookOptions? Options, string? Error) Build()
    {
        if (_listen is null)
        {
            return _given.Count == 0 ? (null, null) : (null, $"{_given[0]}: only used with --webhook-listen");
        }

        if (_configuration is null)
        {
            return (null, "--webhook-configuration: required with --webhook-listen (the MutatingWebhookConfiguration whose caBundle the operator keeps current)");
        }

        if (_image is null)
        {
            return (null, "--sidecar-image: required with --webhook-listen (the image of the injected sidecar)");
        }

        return (new WebhookOptions
        {
            Listen = _listen,
            ConfigurationName = _configuration,
            ServiceName = _service ?? WebhookOptions.DefaultServiceName,
            ServiceNamespace = _serviceNamespace,
            SecretName = _secret,
            Injection = new InjectionOptions { Image = _image, Mode = _mode, Requests = _requests, Limits = _limits },
        }, null);
    }

    private static string Name(string flag, string value) =>
        DnsSubdomain().IsMatch(value) && value.Length <= 253
            ? value
            : throw new FormatException($"{flag}: '{value}' is not a Kubernetes object name (lower-case letters, digits, '-' and '.')");

    private static string ImageReference(string flag, string value) =>
        value.Length is > 0 and <= 1024 && !value.Any(c => char.IsWhiteSpace(c) || char.IsControl(c))
            ? value
            : throw new FormatException($"{flag}: '{value}' is not an image reference (e.g. ghcr.io/k8srepl/k8srepl-sidecar:0.1.0)");

    /// <summary><c>cpu=50m,memory=64Mi</c> into resource names and quantities.</summary>
    private static Dictionary<string, string> Resources(string flag, string value)
    {
        var resources = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            var (name, quantity) = eq > 0 ? (entry[..eq], entry[(eq + 1)..]) : (entry, "");
            if (name is not ("cpu" or "memory" or "ephemeral-storage") || !Quantity().IsMatch(quantity))
            {
                throw new FormatException($"{flag}: '{entry}' is not RESOURCE=QUANTITY with RESOURCE cpu, memory or ephemeral-storage (e.g. cpu=50m,memory=64Mi)");
            }

            resources[name] = quantity;
        }

        return resources;
    }

    [GeneratedRegex("^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$")]
    private static partial Regex DnsSubdomain();

    [GeneratedRegex("^[0-9]+(\\.[0-9]+)?(m|k|Ki|M|Mi|G|Gi|T|Ti|P|Pi|E|Ei)?$")]
    private static partial Regex Quantity();
}
