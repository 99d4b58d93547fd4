namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// The tag byte of a typed value in every binary form: the key encoding's storage classes, plus a reference to a part
/// of the row's own key (wire forms send a key column's value once).
/// </summary>
internal static class ValueTag
{
    public const byte Null = KeyCodec.NullTag;
    public const byte Integer = KeyCodec.IntegerTag;
    public const byte Real = KeyCodec.RealTag;
    public const byte Text = KeyCodec.TextTag;
    public const byte Blob = KeyCodec.BlobTag;

    /// <summary>The value equals part k of the row's key (varint k follows).</summary>
    public const byte KeyPart = 5;
}
