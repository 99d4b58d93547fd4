using System.Globalization;

namespace K8sReplication.Sandbox;

/// <summary>Command line of the sandbox; <see cref="Parse"/> names the flag at fault.</summary>
internal sealed record SandboxOptions
{
    public const string Usage = """
        usage: dotnet run --project sandbox -- [--members N] [--no-writer] [--scenario partition|kill|add-member]
                                               [--duration 20s] [--dir PATH] [--plain] [--prometheus]
          --members N      members (pods with a sidecar) to start, 1..9 (default 3)
          --no-writer      do not run the sample app writer
          --scenario S     run a scripted demonstration: partition, kill or add-member
          --duration D     run D (e.g. 20s, 2m) once the mesh is ready, then print a final summary; exit 1 when not converged
          --dir PATH       state folder (default ./.sandbox)
          --plain          print one status line per second instead of redrawing the screen
          --prometheus     also start a real Prometheus (the 'prometheus' on PATH) scraping every sidecar and the operator
        """;

    public int Members { get; init; } = 3;

    public bool Writer { get; init; } = true;

    public string? Scenario { get; init; }

    public TimeSpan? Duration { get; init; }

    public string Dir { get; init; } = Path.GetFullPath(".sandbox");

    public bool Plain { get; init; }

    public bool Prometheus { get; init; }

    public static SandboxOptions Parse(IReadOnlyList<string> args)
    {
        var options = new SandboxOptions();
        for (var i = 0; i < args.Count; i++)
        {
            string Value(string flag) => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{flag}: a value is required");
            switch (args[i])
            {
                case "--members":
                    var text = Value("--members");
                    options = int.TryParse(text, NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 9
                        ? options with { Members = n }
                        : throw new ArgumentException($"--members: '{text}' is not a number from 1 to 9");
                    break;
                case "--no-writer":
                    options = options with { Writer = false };
                    break;
                case "--scenario":
                    var scenario = Value("--scenario");
                    options = scenario is "partition" or "kill" or "add-member"
                        ? options with { Scenario = scenario }
                        : throw new ArgumentException($"--scenario: '{scenario}' is not one of partition, kill, add-member");
                    break;
                case "--duration":
                    options = options with { Duration = ParseDuration(Value("--duration")) };
                    break;
                case "--dir":
                    options = options with { Dir = Path.GetFullPath(Value("--dir")) };
                    break;
                case "--plain":
                    options = options with { Plain = true };
                    break;
                case "--prometheus":
                    options = options with { Prometheus = true };
                    break;
                case "-h" or "--help":
                    throw new ArgumentException("");
                default:
                    throw new ArgumentException($"unknown argument '{args[i]}'");
            }
        }

        if (options.Scenario is "partition" or "kill" && options.Members < 2)
        {
            throw new ArgumentException($"--scenario {options.Scenario}: needs --members 2 or more");
        }

        return options;
    }

    /// <summary>Durations as the sidecar takes them: 500ms, 20s, 2m, 1h.</summary>
    public static TimeSpan ParseDuration(string text)
    {
        (string Suffix, double Scale)[] units = [("ms", 1), ("s", 1000), ("m", 60_000), ("h", 3_600_000)];
        foreach (var (suffix, scale) in units)
        {
            if (text.EndsWith(suffix, StringComparison.Ordinal)
                && double.TryParse(text[..^suffix.Length], NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
                && value > 0)
            {
                return TimeSpan.FromMilliseconds(value * scale);
            }
        }

        throw new ArgumentException($"--duration: '{text}' is not a duration such as 20s or 2m");
    }
}
