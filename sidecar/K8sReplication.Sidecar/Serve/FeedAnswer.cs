namespace K8sReplication.Sidecar.Serve;

/// <summary>
/// An encoded feed answer: its body, content type, how many changes it carries and its cursor. A JSON answer's body is
/// sent as it is. A binary answer (<see cref="FramedVersion"/> above 0) holds its preamble and batch frame through the
/// serving site, without the frame's length and the trailer's clock readings and horizon: each response gets those of
/// its own moment (<see cref="Wire.FeedWriter.WriteResponseAsync"/>), so one encoding can
/// serve tailers that ask for it seconds apart.
/// </summary>
internal sealed record FeedAnswer(ReadOnlyMemory<byte> Body, string ContentType, int Changes, long LastSeq)
{
    /// <summary>The binary format's version the body is framed in; 0 for a complete (JSON) body.</summary>
    public int FramedVersion { get; init; }

    /// <summary>The serving member's newest seq when the page was read (a binary answer's trailer carries it; so does JSON's body).</summary>
    public long MaxSeq { get; init; }
}
