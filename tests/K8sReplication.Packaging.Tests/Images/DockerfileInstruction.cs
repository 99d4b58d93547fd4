namespace K8sReplication.Packaging.Tests.Images;

/// <summary>One Dockerfile instruction with its continuation lines joined.</summary>
public sealed record DockerfileInstruction(string Keyword, string Arguments)
{
    /// <summary>Parses a Dockerfile: comments dropped, backslash continuations joined, keywords upper-cased.</summary>
    public static IReadOnlyList<DockerfileInstruction> Parse(string text)
    {
        var result = new List<DockerfileInstruction>();
        var current = "";
        foreach (var raw in text.Split('\n'))
        {
            var line = raw.TrimEnd('\r');
            if (line.TrimStart().StartsWith('#'))
            {
                continue;
            }

            current += line.TrimEnd().TrimEnd('\\') + " ";
            if (line.TrimEnd().EndsWith('\\'))
            {
                continue;
            }

            current = current.Trim();
            if (current.Length > 0)
            {
                var space = current.IndexOf(' ', StringComparison.Ordinal);
                result.Add(space < 0
                    ? new DockerfileInstruction(current.ToUpperInvariant(), "")
                    : new DockerfileInstruction(current[..space].ToUpperInvariant(), current[(space + 1)..].Trim()));
            }

            current = "";
        }

        return result;
    }
}
