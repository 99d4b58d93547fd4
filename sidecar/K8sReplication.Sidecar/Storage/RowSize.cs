using System.Text;

namespace K8sReplication.Sidecar.Storage;

/// <summary>
/// What a row weighs for the byte limits: its key plus its values' payloads (text as UTF-8, blobs as they are, 8 bytes
/// for a number). Every wire form carries about that plus its framing; the feed, the row limits and repair use this one
/// measure.
/// </summary>
internal static class RowSize
{
    public static long Of(byte[] key, IReadOnlyList<object?>? values) => key.Length + Values(values);

    public static long Values(IReadOnlyList<object?>? values)
    {
        long size = 0;
        foreach (var value in values ?? [])
        {
            size += value switch
            {
                string text => Encoding.UTF8.GetByteCount(text),
                byte[] blob => blob.Length,
                _ => 8,
            };
        }

        return size;
    }
}
