using System.Globalization;
using System.Net;
using System.Text.RegularExpressions;
using K8sReplication.Contracts.Config;

namespace K8sReplication.Operator.Hosting;

/// <summary>Parses the operator's flags; every error names the flag at fault.</summary>
internal static partial class OperatorCommandLine
{
    public const string Usage = """
        usage: k8srepl-operator [--kubeconfig PATH] [--namespace NS | --all-namespaces] [--health-listen HOST:PORT]
                                [--metrics-listen HOST:PORT] [--leader-elect] [--lease-namespace NS] [--resync 30s]
                                [--max-concurrent-reconciles N] [--tls-member-validity 2160h]
                                [--tls-authority-validity 26280h] [--network-policies[=false]]
                                [--network-policy-operator-namespace NS]
                                [--network-policy-operator-labels KEY=VALUE,...]
                                [--webhook-listen HOST:PORT --webhook-configuration NAME --sidecar-image IMAGE
                                 [--webhook-service NAME] [--webhook-service-namespace NS] [--webhook-secret NAME]
                                 [--sidecar-mode native|classic] [--sidecar-requests cpu=50m,memory=64Mi]
                                 [--sidecar-limits memory=256Mi]]
               k8srepl-operator crd [--output PATH]
        """;

    /// <summary>The options, or the error (naming the flag) when the command line is wrong.</summary>
    public static (OperatorOptions? Options, string? Error) Parse(IReadOnlyList<string> args)
    {
        var options = new OperatorOptions();
        bool? allNamespaces = null;
        string? ns = null;
        var webhook = new WebhookFlags();
        for (var i = 0; i < args.Count; i++)
        {
            var (flag, inline) = Split(args[i]);
            string Value()
            {
                if (inline is not null)
                {
                    return inline;
                }

                if (i + 1 >= args.Count || args[i + 1].StartsWith("--", StringComparison.Ordinal))
                {
                    throw new FormatException($"{flag}: a value is required");
                }

                return args[++i];
            }

            try
            {
                switch (flag)
                {
                    case "--kubeconfig":
                        options = options with { Kubeconfig = NonEmpty(flag, Value()) };
                        break;
                    case "--namespace":
                        ns = NonEmpty(flag, Value());
                        break;
                    case "--all-namespaces":
                        allNamespaces = Flag(flag, inline);
                        break;
                    case "--health-listen":
                        options = options with { HealthListen = Endpoint(flag, Value()) };
                        break;
                    case "--metrics-listen":
                        options = options with { MetricsListen = Endpoint(flag, Value()) };
                        break;
                    case "--leader-elect":
                        options = options with { LeaderElect = Flag(flag, inline) };
                        break;
                    case "--lease-namespace":
                        options = options with { LeaseNamespace = NonEmpty(flag, Value()) };
                        break;
                    case "--resync":
                        options = options with { Resync = Duration(flag, Value()) };
                        break;
                    case "--max-concurrent-reconciles":
                        options = options with { MaxConcurrentReconciles = Count(flag, Value(), 1, 256) };
                        break;
                    case "--identity":
                        options = options with { Identity = NonEmpty(flag, Value()) };
                        break;
                    case "--lease-duration":
                        options = options with { LeaseDuration = Duration(flag, Value()) };
                        break;
                    case "--renew-deadline":
                        options = options with { RenewDeadline = Duration(flag, Value()) };
                        break;
                    case "--retry-period":
                        options = options with { RetryPeriod = Duration(flag, Value()) };
                        break;
                    case "--sidecar-timeout":
                        options = options with { SidecarTimeout = Duration(flag, Value()) };
                        break;
                    case "--watch-inactivity-timeout":
                        options = options with { WatchInactivityTimeout = Duration(flag, Value()) };
                        break;
                    case "--tls-member-validity":
                        options = options with { Pki = options.Pki with { MemberValidity = Duration(flag, Value()) } };
                        break;
                    case "--tls-authority-validity":
                        options = options with { Pki = options.Pki with { AuthorityValidity = Duration(flag, Value()) } };
                        break;
                    case "--network-policies":
                        options = options with { NetworkPolicy = options.NetworkPolicy with { Enabled = Flag(flag, inline) } };
                        break;
                    case "--network-policy-operator-namespace":
                        options = options with { NetworkPolicy = options.NetworkPolicy with { OperatorNamespace = NamespaceName(flag, Value()) } };
                        break;
                    case "--network-policy-operator-labels":
                        options = options with { NetworkPolicy = options.NetworkPolicy with { OperatorLabels = LabelSet(flag, Value()) } };
                        break;
                    default:
                        if (!webhook.TryParse(flag, Value))
                        {
                            return (null, $"{args[i]}: unknown flag");
                        }

                        break;
                }
            }
            catch (FormatException ex)
            {
                return (null, ex.Message);
            }
        }

        if (ns is not null && allNamespaces == true)
        {
            return (null, "--namespace and --all-namespaces exclude each other");
        }

        options = options with { Namespace = ns };
        var (webhookOptions, webhookError) = webhook.Build();
        if (webhookError is not null)
        {
            return (null, webhookError);
        }

        options = options with { Webhook = webhookOptions };
        if (options.LeaderElect && !(options.RetryPeriod < options.RenewDeadline && options.RenewDeadline < options.LeaseDuration))
        {
            return (null, "--lease-duration, --renew-deadline, --retry-period: need retry period < renew deadline < lease duration");
        }

        if (options.Pki.Validate() is { Count: > 0 } pkiErrors)
        {
            return (null, string.Join("; ", pkiErrors));
        }

        return (options, null);
    }

    private static (string Flag, string? Inline) Split(string arg)
    {
        var eq = arg.IndexOf('=', StringComparison.Ordinal);
        return arg.StartsWith("--", StringComparison.Ordinal) && eq > 0 ? (arg[..eq], arg[(eq + 1)..]) : (arg, null);
    }

    private static bool Flag(string flag, string? inline) => inline switch
    {
        null or "true" => true,
        "false" => false,
        _ => throw new FormatException($"{flag}: '{inline}' is not true or false"),
    };

    internal static string NonEmpty(string flag, string value) =>
        string.IsNullOrWhiteSpace(value) ? throw new FormatException($"{flag}: a value is required") : value;

    internal static IPEndPoint Endpoint(string flag, string value)
    {
        var text = value.StartsWith(':') ? "0.0.0.0" + value : value;
        if (IPEndPoint.TryParse(text, out var endpoint) && text.Contains(':', StringComparison.Ordinal) && endpoint.Port is >= 0 and <= 65535)
        {
            return endpoint;
        }

        var colon = text.LastIndexOf(':');
        if (colon > 0 && text[..colon] == "localhost" && int.TryParse(text[(colon + 1)..], NumberStyles.None, CultureInfo.InvariantCulture, out var port)
            && port <= 65535)
        {
            return new IPEndPoint(IPAddress.Loopback, port);
        }

        throw new FormatException($"{flag}: '{value}' is not HOST:PORT with an IP address (e.g. 0.0.0.0:8081 or 127.0.0.1:0)");
    }

    /// <summary><c>app=x,team=y</c>: label keys (optionally prefixed) and values as Kubernetes allows them.</summary>
    private static Dictionary<string, string> LabelSet(string flag, string value)
    {
        var labels = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var entry in value.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var eq = entry.IndexOf('=', StringComparison.Ordinal);
            if (eq <= 0 || !LabelKey().IsMatch(entry[..eq]) || !LabelValuePattern().IsMatch(entry[(eq + 1)..]) || entry.Length - eq - 1 > 63)
            {
                throw new FormatException($"{flag}: '{entry}' is not KEY=VALUE with a Kubernetes label key and value (e.g. app.kubernetes.io/name=k8s-replication)");
            }

            labels[entry[..eq]] = entry[(eq + 1)..];
        }

        return labels.Count > 0 ? labels : throw new FormatException($"{flag}: at least one KEY=VALUE is required");
    }

    private static string NamespaceName(string flag, string value) =>
        value.Length is > 0 and <= 63 && DnsLabel().IsMatch(value)
            ? value
            : throw new FormatException($"{flag}: '{value}' is not a namespace name (lower-case letters, digits and '-')");

    [GeneratedRegex("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9.]{0,251}[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$")]
    private static partial Regex LabelValuePattern();

    private static TimeSpan Duration(string flag, string value) =>
        Durations.TryParse(value, out var duration) && duration > TimeSpan.Zero
            ? duration
            : throw new FormatException($"{flag}: '{value}' is not a positive duration (e.g. 500ms, 30s, 5m, 1h)");

    private static int Count(string flag, string value, int min, int max) =>
        int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n >= min && n <= max
            ? n
            : throw new FormatException($"{flag}: '{value}' is not a whole number from {min} to {max}");
}
