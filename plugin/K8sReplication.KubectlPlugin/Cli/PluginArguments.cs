using System.Globalization;

namespace K8sReplication.KubectlPlugin.Cli;

/// <summary>
/// The plugin's command line: a command, its positional arguments, and kubectl's connection flags
/// (<c>--kubeconfig</c>, <c>--context</c>, <c>-n/--namespace</c>) anywhere on the line, in <c>--flag value</c> or
/// <c>--flag=value</c> form.
/// </summary>
internal sealed record PluginArguments
{
    public const int DefaultConflictLimit = 100;

    public string Command { get; init; } = "";

    public IReadOnlyList<string> Positional { get; init; } = [];

    public string? Kubeconfig { get; init; }

    public string? Context { get; init; }

    public string? Namespace { get; init; }

    public OutputFormat Output { get; init; } = OutputFormat.Table;

    public bool NoColor { get; init; }

    public string? Table { get; init; }

    public int Limit { get; init; } = DefaultConflictLimit;

    public bool Help { get; init; }

    public static PluginArguments Parse(IReadOnlyList<string> args)
    {
        ArgumentNullException.ThrowIfNull(args);
        var result = new PluginArguments();
        var positional = new List<string>();
        for (var i = 0; i < args.Count; i++)
        {
            var arg = args[i];
            if (arg is "-h" or "--help" or "help")
            {
                result = result with { Help = true };
                continue;
            }

            if (arg == "--no-color")
            {
                result = result with { NoColor = true };
                continue;
            }

            if (!arg.StartsWith('-') || arg == "-")
            {
                positional.Add(arg);
                continue;
            }

            var equals = arg.IndexOf('=', StringComparison.Ordinal);
            var name = equals < 0 ? arg : arg[..equals];
            string Value()
            {
                if (equals >= 0)
                {
                    return arg[(equals + 1)..];
                }

                return ++i < args.Count ? args[i] : throw new UsageException($"flag {name} needs a value");
            }

            result = name switch
            {
                "--kubeconfig" => result with { Kubeconfig = Value() },
                "--context" => result with { Context = Value() },
                "-n" or "--namespace" => result with { Namespace = Value() },
                "-o" or "--output" => result with { Output = ParseOutput(Value()) },
                "--table" => result with { Table = Value() },
                "--limit" => result with { Limit = ParseLimit(Value()) },
                _ => throw new UsageException($"unknown flag {name}"),
            };
        }

        return result with { Command = positional.Count > 0 ? positional[0] : "", Positional = positional.Skip(1).ToList() };
    }

    /// <summary>The positional arguments a command takes, by name; anything more or less is a usage error.</summary>
    public IReadOnlyList<string> Expect(params string[] names)
    {
        ArgumentNullException.ThrowIfNull(names);
        if (Positional.Count != names.Length)
        {
            throw new UsageException($"{Command} takes {string.Join(" ", names.Select(n => n.ToUpperInvariant()))}");
        }

        return Positional;
    }

    private static OutputFormat ParseOutput(string text) => text switch
    {
        "json" => OutputFormat.Json,
        "yaml" => OutputFormat.Yaml,
        "table" or "wide" => OutputFormat.Table,
        _ => throw new UsageException($"-o {text}: expected json or yaml"),
    };

    private static int ParseLimit(string text) =>
        int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var limit) && limit is >= 1 and <= 10_000
            ? limit
            : throw new UsageException($"--limit {text}: expected a number from 1 to 10000");
}
