namespace K8sReplication.Bench.Suite;

/// <summary>Repeated measurements of one figure; the table shows the median with min–max.</summary>
internal sealed class Sample(string unit)
{
    public string Unit { get; } = unit;

    public List<double> Values { get; } = [];

    public int Count => Values.Count;

    public double Median
    {
        get
        {
            if (Values.Count == 0)
            {
                return double.NaN;
            }

            var sorted = Values.Order().ToArray();
            var mid = sorted.Length / 2;
            return sorted.Length % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
        }
    }

    public double Min => Values.Count == 0 ? double.NaN : Values.Min();

    public double Max => Values.Count == 0 ? double.NaN : Values.Max();

    public static Sample Of(string unit, params double[] values)
    {
        var s = new Sample(unit);
        s.Values.AddRange(values);
        return s;
    }

    public void Add(double value) => Values.Add(value);
}
