namespace K8sReplication.Sidecar.Pull;

/// <summary>
/// A read-only view of a stream that refuses to deliver more than <c>limit</c> bytes: the read that would cross it
/// throws <see cref="PeerAnswerRejectedException"/> (too_large) instead. It sits both under and over a decompressor,
/// so neither a long body nor a small one that inflates enormously can make this member buffer more than the limit.
/// </summary>
internal sealed class BoundedReadStream(Stream inner, long limit, string what) : Stream
{
    private long _read;

    /// <summary>Bytes delivered so far.</summary>
    public long BytesRead => _read;

    public override bool CanRead => true;

    public override bool CanSeek => false;

    public override bool CanWrite => false;

    public override long Length => throw new NotSupportedException();

    public override long Position
    {
        get => _read;
        set => throw new NotSupportedException();
    }

    public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

    public override int Read(Span<byte> buffer)
    {
        // Ask for at most one byte beyond the limit: enough to know it is crossed, never a large read past it.
        int n;
        try
        {
            n = inner.Read(buffer[..Allowed(buffer.Length)]);
        }
        catch (InvalidDataException e)
        {
            throw BrokenEncoding(e);
        }

        return Count(n);
    }

    public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
        ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

    public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
    {
        int n;
        try
        {
            n = await inner.ReadAsync(buffer[..Allowed(buffer.Length)], cancellationToken).ConfigureAwait(false);
        }
        catch (InvalidDataException e)
        {
            throw BrokenEncoding(e);
        }

        return Count(n);
    }

    public override void Flush()
    {
    }

    public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

    public override void SetLength(long value) => throw new NotSupportedException();

    public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            inner.Dispose();
        }

        base.Dispose(disposing);
    }

    /// <summary>A decompressor below this stream found the body broken: the answer is malformed, whatever reads it.</summary>
    private static PeerAnswerRejectedException BrokenEncoding(InvalidDataException e) =>
        new(RejectReason.Malformed, "broken compressed body: " + e.Message, e);

    private int Allowed(int requested) => (int)Math.Min(requested, limit - _read + 1);

    private int Count(int n)
    {
        _read += n;
        return _read > limit
            ? throw new PeerAnswerRejectedException(RejectReason.TooLarge, $"{what} is larger than the limit of {limit} bytes")
            : n;
    }
}
