using System.Text.Json;
using System.Text.Json.Nodes;
using System.Xml.Linq;
using K8sReplication.Packaging.Tests.Tools;
using K8sReplication.TestKit;

namespace K8sReplication.Packaging.Tests.Images;

/// <summary>The shipped sidecar is the Native AOT executable: the project, the image and the manifests agree on it.</summary>
public sealed class SidecarImageTests
{
    private const string Project = "sidecar/K8sReplication.Sidecar/K8sReplication.Sidecar.csproj";

    private static IReadOnlyList<DockerfileInstruction> Dockerfile() =>
        DockerfileInstruction.Parse(File.ReadAllText(Path.Combine(RepoPaths.Root, "sidecar", "Dockerfile")));

    private static string PublishCommand() =>
        Dockerfile().Single(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal)).Arguments;

    private static string? Property(string name) =>
        XDocument.Load(Path.Combine(RepoPaths.Root, Project)).Descendants(name).SingleOrDefault()?.Value;

    [Fact]
    public void SidecarProject_PublishesNativeAot_WhileBuildAndRunStayJit()
    {
        // PublishAot only changes `dotnet publish`; the tests and `dotnet run` use the same project under the JIT.
        Assert.Equal("true", Property("PublishAot"));
        Assert.Equal("true", Property("InvariantGlobalization"));
        Assert.Equal("true", Property("StripSymbols"));
        Assert.Null(Property("PublishTrimmed")); // implied by PublishAot; setting it would also trim JIT publishes
    }

    [Fact]
    public void NoProjectNamesTheAotCompilerPackage_TheSdkPicksTheMatchingOne()
    {
        var projectFiles = Directory.EnumerateFiles(RepoPaths.Root, "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.EnumerateFiles(RepoPaths.Root, "Directory.*.props", SearchOption.TopDirectoryOnly))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal));
        Assert.All(projectFiles, f => Assert.DoesNotContain("ILCompiler", File.ReadAllText(f), StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public void SidecarImage_InstallsANativeToolchainBeforePublishing()
    {
        var instructions = Dockerfile().ToList();
        var publish = instructions.FindIndex(i => i.Keyword == "RUN" && i.Arguments.Contains("dotnet publish", StringComparison.Ordinal));
        Assert.Contains(instructions.Take(publish), i => i.Keyword == "RUN"
            && i.Arguments.Contains("apt-get install", StringComparison.Ordinal)
            && i.Arguments.Contains(" clang", StringComparison.Ordinal));
    }

    [Fact]
    public void SidecarImage_PublishKeepsTheDocumentationFile_TheCodeStyleBuildNeedsIt()
    {
        // With EnforceCodeStyleInBuild, GenerateDocumentationFile=false fails the build (EnableGenerateDocumentationFile);
        // the project leaves the XML docs out of the publish output instead.
        Assert.DoesNotContain("GenerateDocumentationFile", PublishCommand(), StringComparison.Ordinal);
        Assert.Equal("false", Property("PublishDocumentationFiles"));
    }

    [Fact]
    public void SidecarImage_EntrypointIsTheNativeExecutable_NotTheDotnetHost()
    {
        var entrypoint = JsonSerializer.Deserialize<string[]>(Dockerfile().Single(i => i.Keyword == "ENTRYPOINT").Arguments)!;
        Assert.Equal(["/app/k8srepl-sidecar"], entrypoint);
        Assert.DoesNotContain(Dockerfile(), i => i.Keyword == "CMD");
    }

    [Theory]
    [InlineData("statefulset.yaml")]
    [InlineData("statefulset-without-native-sidecars.yaml")]
    public void ExampleSidecar_RunsTheImagesEntrypoint_WithTheChartsImageRepository(string file)
    {
        var example = Yaml.LoadFile(Path.Combine(RepoPaths.Root, "examples", "sqlite-app", file)).Single();
        var sidecar = ((JsonObject)example["spec"]!["template"]!["spec"]!).Container("k8srepl-sidecar");
        Assert.Null(sidecar["command"]); // a command would replace the native entrypoint (e.g. with `dotnet ...dll`)
        var values = Yaml.LoadFile(Path.Combine(RepoPaths.Root, "charts", "k8s-replication", "values.yaml")).Single();
        var repository = (string)values["sidecar"]!["image"]!["repository"]!;
        Assert.StartsWith(repository + ":", (string)sidecar["image"]!, StringComparison.Ordinal);
    }
}
