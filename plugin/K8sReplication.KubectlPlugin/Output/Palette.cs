namespace K8sReplication.KubectlPlugin.Output;

/// <summary>ANSI colours for table cells; all no-ops when colour is off (redirected output or <c>--no-color</c>).</summary>
internal sealed class Palette(bool enabled)
{
    public static Palette For(bool noColor) =>
        new(!noColor && !Console.IsOutputRedirected && Environment.GetEnvironmentVariable("NO_COLOR") is null or "");

    public bool Enabled => enabled;

    public string Good(string text) => Paint("32", text);

    public string Bad(string text) => Paint("31", text);

    public string Warn(string text) => Paint("33", text);

    public string Dim(string text) => Paint("2", text);

    private string Paint(string code, string text) => enabled && text.Length > 0 ? $"\e[{code}m{text}\e[0m" : text;
}
