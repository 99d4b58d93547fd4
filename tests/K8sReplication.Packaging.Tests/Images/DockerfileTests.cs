using System.Text.Json;
using System.Text.RegularExpressions;
using System.Xml.Linq;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Images;

/// <summary>No Docker engine here: the Dockerfiles are checked for the invariants a build would rely on.</summary>
public sealed partial class DockerfileTests
{
    public static TheoryData<string, string> Images => new()
    {
        { "sidecar/Dockerfile", "sidecar/K8sReplication.Sidecar/K8sReplication.Sidecar.csproj" },
        { "operator/Dockerfile", "operator/K8sReplication.Operator/K8sReplication.Operator.csproj" },
    };

    private static IReadOnlyList<DockerfileInstruction> Load(string dockerfile) =>
        DockerfileInstruction.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, dockerfile)));

    private static Dictionary<string, string> ArgDefaults(IEnumerable<DockerfileInstruction> instructions) =>
        instructions.Where(i => i.Keyword == "ARG" && i.Arguments.Contains('=', StringComparison.Ordinal))
            .Select(i => i.Arguments.Split('=', 2))
            .ToDictionary(p => p[0], p => p[1]);

    private static string ResolveImage(string from, Dictionary<string, string> args)
    {
        var image = from.Split(' ', StringSplitOptions.RemoveEmptyEntries)[0];
        var match = VariableReference().Match(image);
        return match.Success ? args[match.Groups[1].Value] : image;
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_IsMultiStage_FromTheDotnet10SdkToARuntimeDepsImage(string dockerfile, string project)
    {
        _ = project;
        var instructions = Load(dockerfile);
        var args = ArgDefaults(instructions);
        var froms = instructions.Where(i => i.Keyword == "FROM").ToList();
        Assert.True(froms.Count >= 2, $"{dockerfile}: expected a build stage and a runtime stage");
        Assert.Equal("mcr.microsoft.com/dotnet/sdk:10.0", ResolveImage(froms[0].Arguments, args));
        Assert.Contains(" AS build", froms[0].Arguments, StringComparison.OrdinalIgnoreCase);
        Assert.StartsWith("mcr.microsoft.com/dotnet/runtime-deps:10.0", ResolveImage(froms[^1].Arguments, args), StringComparison.Ordinal);
        // The runtime stage takes only the published output from the build stage.
        var runtime = instructions.SkipWhile(i => i != froms[^1]).Skip(1).ToList();
        Assert.All(runtime.Where(i => i.Keyword is "COPY" or "ADD"), i => Assert.Contains("--from=build", i.Arguments, StringComparison.Ordinal));
        Assert.DoesNotContain(runtime, i => i.Keyword == "RUN");
    }

    [Fact]
    public void SidecarDockerfile_PublishesNativeAotByDefault_WithATrimmedFallback()
    {
        var instructions = Load("sidecar/Dockerfile");
        Assert.Equal("aot", ArgDefaults(instructions)["PUBLISH_MODE"]);
        var publish = Publish(instructions);
        Assert.Contains("-p:PublishAot=true", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishTrimmed=true", publish, StringComparison.Ordinal);
        Assert.Contains("--self-contained true", publish, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
    }

    /// <summary>The official Kubernetes client fails under Native AOT and trimming: the operator is JIT + ReadyToRun, with no AOT path.</summary>
    [Fact]
    public void OperatorDockerfile_PublishesReadyToRun_SelfContainedAndUntrimmed_NeverNativeAot()
    {
        var instructions = Load("operator/Dockerfile");
        Assert.DoesNotContain("PUBLISH_MODE", ArgDefaults(instructions).Keys);
        var publish = Publish(instructions);
        Assert.Contains("-p:PublishReadyToRun=true", publish, StringComparison.Ordinal);
        Assert.Contains("--self-contained true", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishTrimmed=false", publish, StringComparison.Ordinal);
        Assert.Contains("-p:PublishAot=false", publish, StringComparison.Ordinal);
        Assert.Contains("-c Release", publish, StringComparison.Ordinal);
        Assert.DoesNotContain("clang", string.Join('\n', instructions.Select(i => i.Arguments)), StringComparison.Ordinal);

        var project = XDocument.Load(Path.Combine(RepoPaths.Root, "operator/K8sReplication.Operator/K8sReplication.Operator.csproj"));
        string? Property(string name) => project.Descendants(name).SingleOrDefault()?.Value;
        Assert.Equal(("true", "false", "false", "false"),
            (Property("PublishReadyToRun"), Property("PublishAot"), Property("PublishTrimmed"), Property("IsAotCompatible")));
    }

    private static string Publish(IEnumerable<DockerfileInstruction> instructions) =>
        instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_RunsAsANumericNonRootUser_WithoutHealthcheck(string dockerfile, string project)
    {
        _ = project;
        var instructions = Load(dockerfile);
        Assert.DoesNotContain(instructions, i => i.Keyword == "HEALTHCHECK");
        var lastFrom = instructions.ToList().FindLastIndex(i => i.Keyword == "FROM");
        var user = instructions.Skip(lastFrom).LastOrDefault(i => i.Keyword == "USER")
                   ?? throw new Xunit.Sdk.XunitException($"{dockerfile}: the runtime stage sets no USER");
        var uid = user.Arguments.Split(':')[0];
        Assert.True(int.TryParse(uid, out var id) && id > 0, $"{dockerfile}: USER {user.Arguments} must be a numeric non-root uid (kubelet checks runAsNonRoot)");
        Assert.Equal(1654, id); // the chart and the examples run as this uid too
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_EntrypointStartsTheProjectsAssembly(string dockerfile, string project)
    {
        var assembly = XDocument.Load(Path.Combine(RepoPaths.Root, project)).Descendants("AssemblyName").Single().Value;
        var instructions = Load(dockerfile);
        var entrypoint = JsonSerializer.Deserialize<string[]>(instructions.Single(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        Assert.Equal($"/app/{assembly}", entrypoint[0]);
        var publish = instructions.Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;
        Assert.Contains(project, publish, StringComparison.Ordinal);
        Assert.Contains("-o /app", publish, StringComparison.Ordinal);
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void Dockerfile_CopiesEveryReferencedProjectBeforeRestore(string dockerfile, string project)
    {
        var instructions = Load(dockerfile);
        var restoreIndex = instructions.ToList().FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet restore", StringComparison.Ordinal));
        Assert.True(restoreIndex > 0, $"{dockerfile}: no restore layer");
        var copiedBeforeRestore = string.Join('\n', instructions.Take(restoreIndex).Where(i => i.Keyword == "COPY").Select(i => i.Arguments));
        foreach (var needed in ProjectClosure(project).Append("Directory.Build.props").Append("Directory.Packages.props").Append("global.json"))
        {
            Assert.Contains(needed, copiedBeforeRestore, StringComparison.Ordinal);
        }

        var copiedAfter = instructions.Skip(restoreIndex).Where(i => i.Keyword == "COPY").Select(i => i.Arguments.Split(' ')[0]).ToList();
        foreach (var folder in ProjectClosure(project).Select(p => p.Split('/')[0] + "/").Distinct())
        {
            Assert.Contains(folder, copiedAfter);
        }
    }

    [Theory]
    [MemberData(nameof(Images))]
    public void DockerIgnore_KeepsBuildOutputOutOfTheContext(string dockerfile, string project)
    {
        _ = project;
        var ignore = File.ReadAllLines(Path.Combine(RepoPaths.Root, dockerfile + ".dockerignore"));
        Assert.Contains("**/bin/", ignore);
        Assert.Contains("**/obj/", ignore);
    }

    [Fact]
    public void SidecarImage_ExposesTheReplicationAndAdminPorts()
    {
        var expose = Load("sidecar/Dockerfile").Single(i => i.Keyword == "EXPOSE").Arguments.Split(' ');
        Assert.Equal(["8900", "8901"], expose);
    }

    /// <summary>The project and every project it references, transitively, as repository-relative paths.</summary>
    private static List<string> ProjectClosure(string project)
    {
        var result = new List<string>();
        var pending = new Stack<string>([project]);
        while (pending.TryPop(out var current))
        {
            if (result.Contains(current))
            {
                continue;
            }

            result.Add(current);
            var dir = Path.GetDirectoryName(Path.Combine(RepoPaths.Root, current))!;
            foreach (var reference in XDocument.Load(Path.Combine(RepoPaths.Root, current)).Descendants("ProjectReference"))
            {
                var full = Path.GetFullPath(Path.Combine(dir, reference.Attribute("Include")!.Value));
                pending.Push(Path.GetRelativePath(RepoPaths.Root, full).Replace('\\', '/'));
            }
        }

        return result;
    }

    [GeneratedRegex(@"^\$\{?([A-Z_]+)\}?$")]
    private static partial Regex VariableReference();
}
