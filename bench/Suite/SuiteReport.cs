using System.Globalization;
using System.Text;
using System.Text.Json;

namespace K8sReplication.Bench.Suite;

/// <summary>Writes the run's rows as bench/results/latest.json and a Markdown table (latest.md).</summary>
internal static class SuiteReport
{
    public static void Write(string folder, SuiteRun run)
    {
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, "latest.json"), Json(run));
        File.WriteAllText(Path.Combine(folder, "latest.md"), Markdown(run));
    }

    public static string Markdown(SuiteRun run)
    {
        var md = new StringBuilder();
        md.AppendLine(CultureInfo.InvariantCulture, $"Run {run.StartedAt:yyyy-MM-dd HH:mm} UTC, `{run.Command}`, {run.Repetitions} repetitions (median, min–max), {run.Cores} cores, "
            + $"load average {run.LoadBefore:0.0} before / {run.LoadAfter:0.0} after, total {run.Elapsed.TotalMinutes:0.0} min. {run.Machine}");
        md.AppendLine();
        md.AppendLine("| section | measurement | ours: median (min–max) | reference | reference: median (min–max) | ratio ours/ref | target | met |");
        md.AppendLine("| --- | --- | --- | --- | --- | --- | --- | --- |");
        foreach (var r in run.Rows)
        {
            var met = r.Met switch { true => "met", false => "**missed**", null => "" };
            var note = r.Note is null ? "" : " — " + r.Note;
            md.AppendLine(CultureInfo.InvariantCulture,
                $"| {r.Section} | {r.Name}{note} | {Format(r.Ours)} | {r.ReferenceName ?? ""} | {Format(r.Reference)} | {(r.Ratio is { } x ? x.ToString("0.00", CultureInfo.InvariantCulture) : "")} | {r.Target ?? ""} | {met} |");
        }

        if (run.Notes.Count > 0)
        {
            md.AppendLine();
            foreach (var n in run.Notes)
            {
                md.AppendLine("- " + n);
            }
        }

        return md.ToString();
    }

    public static string Format(Sample? s)
    {
        if (s is null)
        {
            return "";
        }

        if (s.Count == 0)
        {
            return "not measured";
        }

        return s.Count == 1 || s.Min == s.Max
            ? $"{N(s.Median)} {s.Unit}"
            : $"{N(s.Median)} {s.Unit} ({N(s.Min)}–{N(s.Max)})";
    }

    private static string N(double v) => Math.Abs(v) switch
    {
        >= 1000 => v.ToString("N0", CultureInfo.InvariantCulture),
        >= 100 => v.ToString("0", CultureInfo.InvariantCulture),
        >= 10 => v.ToString("0.0", CultureInfo.InvariantCulture),
        >= 1 => v.ToString("0.00", CultureInfo.InvariantCulture),
        _ => v.ToString("0.###", CultureInfo.InvariantCulture),
    };

    private static string Json(SuiteRun run)
    {
        using var stream = new MemoryStream();
        using (var w = new Utf8JsonWriter(stream, new JsonWriterOptions { Indented = true }))
        {
            w.WriteStartObject();
            w.WriteString("startedAt", run.StartedAt);
            w.WriteString("command", run.Command);
            w.WriteNumber("repetitions", run.Repetitions);
            w.WriteNumber("cores", run.Cores);
            w.WriteNumber("loadAverageBefore", run.LoadBefore);
            w.WriteNumber("loadAverageAfter", run.LoadAfter);
            w.WriteNumber("elapsedSeconds", Math.Round(run.Elapsed.TotalSeconds, 1));
            w.WriteString("machine", run.Machine);
            w.WriteStartArray("results");
            foreach (var r in run.Rows)
            {
                w.WriteStartObject();
                w.WriteString("section", r.Section);
                w.WriteString("name", r.Name);
                WriteSample(w, "ours", r.Ours);
                if (r.ReferenceName is not null)
                {
                    w.WriteString("reference", r.ReferenceName);
                }

                WriteSample(w, "referenceValue", r.Reference);
                if (r.Ratio is { } ratio)
                {
                    w.WriteNumber("ratio", Math.Round(ratio, 4));
                }

                if (r.Target is not null)
                {
                    w.WriteString("target", r.Target);
                }

                if (r.Met is { } met)
                {
                    w.WriteBoolean("met", met);
                }

                if (r.Note is not null)
                {
                    w.WriteString("note", r.Note);
                }

                w.WriteEndObject();
            }

            w.WriteEndArray();
            w.WriteStartArray("notes");
            foreach (var n in run.Notes)
            {
                w.WriteStringValue(n);
            }

            w.WriteEndArray();
            w.WriteEndObject();
        }

        return Encoding.UTF8.GetString(stream.ToArray()) + "\n";
    }

    private static void WriteSample(Utf8JsonWriter w, string name, Sample? s)
    {
        if (s is null)
        {
            return;
        }

        w.WriteStartObject(name);
        w.WriteString("unit", s.Unit);
        if (s.Count > 0)
        {
            w.WriteNumber("median", Math.Round(s.Median, 6));
            w.WriteNumber("min", Math.Round(s.Min, 6));
            w.WriteNumber("max", Math.Round(s.Max, 6));
        }

        w.WriteStartArray("values");
        foreach (var v in s.Values)
        {
            w.WriteNumberValue(Math.Round(v, 6));
        }

        w.WriteEndArray();
        w.WriteEndObject();
    }
}
