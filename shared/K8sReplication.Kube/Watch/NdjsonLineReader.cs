namespace K8sReplication.Kube.Watch;

/// <summary>
/// Reads newline-delimited records from a stream as they arrive (never buffering the whole body). A returned line is
/// valid until the next call. Each read has an inactivity deadline so a silent connection cannot hang the reader.
/// </summary>
internal sealed class NdjsonLineReader
{
    private readonly Stream _stream;
    private readonly int _maxLineBytes;
    private byte[] _buffer = new byte[16 * 1024];
    private int _start;
    private int _end;

    public NdjsonLineReader(Stream stream, int maxLineBytes)
    {
        _stream = stream;
        _maxLineBytes = maxLineBytes;
    }

    /// <summary>
    /// The next non-empty line without its terminator, or null at a clean end of stream.
    /// <paramref name="beforeRead"/> runs before every socket read (the caller re-arms its inactivity timer there).
    /// </summary>
    /// <exception cref="InvalidDataException">The stream ended mid-line or a line exceeded the limit.</exception>
    public async ValueTask<ReadOnlyMemory<byte>?> ReadLineAsync(Action? beforeRead, CancellationToken cancellationToken)
    {
        var scanFrom = _start;
        while (true)
        {
            var newline = Array.IndexOf(_buffer, (byte)'\n', scanFrom, _end - scanFrom);
            if (newline >= 0)
            {
                var line = new ReadOnlyMemory<byte>(_buffer, _start, newline - _start);
                _start = newline + 1;
                if (line.Length > 0 && line.Span[^1] == (byte)'\r')
                {
                    line = line[..^1];
                }

                if (line.Length == 0)
                {
                    scanFrom = _start;
                    continue;
                }

                return line;
            }

            var scanned = _end - _start;
            MakeRoom();
            scanFrom = _start + scanned;
            beforeRead?.Invoke();
            var read = await _stream.ReadAsync(_buffer.AsMemory(_end), cancellationToken).ConfigureAwait(false);
            if (read == 0)
            {
                if (_end > _start && !IsWhitespace(_buffer.AsSpan(_start, _end - _start)))
                {
                    throw new InvalidDataException($"stream ended in the middle of a record ({_end - _start} bytes without a newline)");
                }

                return null;
            }

            _end += read;
        }
    }

    private void MakeRoom()
    {
        if (_start > 0)
        {
            // Slide the partial line to the front; buffers stay small because events are consumed as they arrive.
            Buffer.BlockCopy(_buffer, _start, _buffer, 0, _end - _start);
            _end -= _start;
            _start = 0;
        }

        if (_end == _buffer.Length)
        {
            if (_buffer.Length >= _maxLineBytes)
            {
                throw new InvalidDataException($"a record exceeds {_maxLineBytes} bytes");
            }

            Array.Resize(ref _buffer, Math.Min(_buffer.Length * 2, _maxLineBytes));
        }
    }

    private static bool IsWhitespace(ReadOnlySpan<byte> bytes)
    {
        foreach (var b in bytes)
        {
            if (b is not ((byte)' ' or (byte)'\r' or (byte)'\t'))
            {
                return false;
            }
        }

        return true;
    }
}
