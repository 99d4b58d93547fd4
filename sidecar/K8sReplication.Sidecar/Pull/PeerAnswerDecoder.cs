using System.IO.Compression;
using System.Text.Json.Serialization.Metadata;
using System.Text.Json;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// Decodes one peer answer body under a byte limit. The body is read as a stream through a limit on the raw bytes,
/// then the decompressor named by its content encoding, then a limit on the decoded bytes, and deserialized
/// incrementally, so neither a long body nor a small one that inflates enormously makes this member hold more than
/// the limit. Every failure is a <see cref="PeerAnswerRejectedException"/>: too_large or malformed.
/// </summary>
internal static class PeerAnswerDecoder
{
    public static async Task<(T Value, long Bytes)> DecodeAsync<T>(Stream body, long? declaredLength, ICollection<string> encodings,
        long limit, JsonTypeInfo<T> typeInfo, CancellationToken cancellationToken)
    {
        await using var decoded = Open(body, declaredLength, encodings, limit);
        T? value;
        try
        {
            value = await JsonSerializer.DeserializeAsync(decoded, typeInfo, cancellationToken);
        }
        catch (JsonException e)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, "malformed answer: " + InputQuote.Abridge(e.Message), e);
        }
        catch (InvalidDataException e)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, "broken compressed body: " + e.Message, e);
        }
        catch (Exception e) when (e is NotSupportedException or InvalidOperationException or FormatException or OverflowException)
        {
            // What the serializer and the value converter say about shapes they cannot bind (a token of the wrong type).
            throw new PeerAnswerRejectedException(RejectReason.Malformed, "malformed answer: " + InputQuote.Abridge(e.Message), e);
        }

        return value is null
            ? throw new PeerAnswerRejectedException(RejectReason.Malformed, "empty answer")
            : (value, decoded.BytesRead);
    }

    /// <summary>
    /// Reads a whole binary answer under the same limits (raw, decompressor, decoded) as a JSON one. The buffer grows
    /// with what arrives, never beyond <paramref name="limit"/>, whatever length the answer declares.
    /// </summary>
    public static async Task<byte[]> ReadBytesAsync(Stream body, long? declaredLength, ICollection<string> encodings, long limit,
        CancellationToken cancellationToken)
    {
        await using var decoded = Open(body, declaredLength, encodings, limit);
        using var buffer = new MemoryStream();
        try
        {
            await decoded.CopyToAsync(buffer, cancellationToken);
        }
        catch (InvalidDataException e)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, "broken compressed body: " + e.Message, e);
        }

        return buffer.Length == 0
            ? throw new PeerAnswerRejectedException(RejectReason.Malformed, "empty answer")
            : buffer.ToArray();
    }

    /// <summary>
    /// The body as a stream limited on both sides of the decompressor named by its content encoding. A declared length
    /// over the raw limit is refused before a byte is read.
    /// </summary>
    public static BoundedReadStream Open(Stream body, long? declaredLength, ICollection<string> encodings, long limit)
    {
        var raw = PeerAnswerLimits.Raw(limit);
        if (declaredLength > raw)
        {
            throw new PeerAnswerRejectedException(RejectReason.TooLarge, $"answer declares {declaredLength} bytes, more than the limit of {raw}");
        }

        if (encodings.Count > 1)
        {
            throw new PeerAnswerRejectedException(RejectReason.Malformed, $"answer stacks encodings ({string.Join(", ", encodings.Take(4))})");
        }

        Stream stream = new BoundedReadStream(body, raw, "compressed answer");
        stream = encodings.FirstOrDefault()?.ToLowerInvariant() switch
        {
            null or "identity" => stream,
            "gzip" => new GZipStream(stream, CompressionMode.Decompress),
            "br" => new BrotliStream(stream, CompressionMode.Decompress),
            "deflate" => new ZLibStream(stream, CompressionMode.Decompress),
            var other => throw new PeerAnswerRejectedException(RejectReason.Malformed,
                $"answer has an unsupported content encoding {InputQuote.Quote(other)}"),
        };
        return new BoundedReadStream(stream, limit, "answer");
    }
}
