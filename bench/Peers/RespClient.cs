using System.Net.Sockets;
using System.Text;

namespace K8sReplication.Bench.Peers;

/// <summary>Minimal Redis protocol client: pipelined commands, replies read as raw lines (enough for SET/INFO/DBSIZE).</summary>
internal sealed class RespClient : IDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;
    private readonly BufferedStream _out;
    private readonly StreamReader _in;

    public RespClient(int port)
    {
        _tcp = new TcpClient();
        _tcp.Connect("127.0.0.1", port);
        _tcp.NoDelay = true;
        _stream = _tcp.GetStream();
        _out = new BufferedStream(_stream, 64 * 1024);
        _in = new StreamReader(_stream, Encoding.Latin1);
    }

    public void Send(params object[] parts)
    {
        Write($"*{parts.Length}\r\n");
        foreach (var p in parts)
        {
            var bytes = p as byte[] ?? Encoding.UTF8.GetBytes(p.ToString()!);
            Write($"${bytes.Length}\r\n");
            _out.Write(bytes);
            Write("\r\n");
        }
    }

    public void Flush() => _out.Flush();

    /// <summary>Reads one reply; bulk strings are returned as text.</summary>
    public string Read()
    {
        var line = _in.ReadLine() ?? throw new IOException("redis closed the connection");
        switch (line[0])
        {
            case '$':
                var len = int.Parse(line[1..], System.Globalization.CultureInfo.InvariantCulture);
                if (len < 0)
                {
                    return "";
                }

                var buf = new char[len + 2];
                var read = 0;
                while (read < buf.Length)
                {
                    read += _in.Read(buf, read, buf.Length - read);
                }

                return new string(buf, 0, len);
            case '-':
                throw new InvalidOperationException("redis: " + line);
            default:
                return line[1..];
        }
    }

    public string Call(params object[] parts)
    {
        Send(parts);
        Flush();
        return Read();
    }

    public void Dispose()
    {
        _in.Dispose();
        _out.Dispose();
        _tcp.Dispose();
    }

    private void Write(string s) => _out.Write(Encoding.ASCII.GetBytes(s));
}
