using System.Globalization;
using K8sReplication.Sidecar.Configuration;

namespace K8sReplication.Sidecar.Serve;

/// <summary>Bounded body reading and strict query parsing; failures are <see cref="BadRequestException"/>.</summary>
internal static class RequestInput
{
    public static async Task<byte[]> ReadBodyAsync(HttpContext context, long maxBytes = SidecarDefaults.MaxRequestBodyBytes)
    {
        if (context.Request.ContentLength > maxBytes)
        {
            throw new BadRequestException("body", $"body larger than {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
        }

        using var buffer = new MemoryStream();
        var chunk = new byte[16 * 1024];
        int read;
        while ((read = await context.Request.Body.ReadAsync(chunk, context.RequestAborted)) > 0)
        {
            buffer.Write(chunk, 0, read);
            if (buffer.Length > maxBytes)
            {
                throw new BadRequestException("body", $"body larger than {maxBytes} bytes", StatusCodes.Status413PayloadTooLarge);
            }
        }

        if (buffer.Length == 0)
        {
            throw new BadRequestException("body", "a JSON body is required");
        }

        return buffer.ToArray();
    }

    public static long Long(HttpContext context, string name, long fallback, long min, long max)
    {
        var text = context.Request.Query[name];
        if (text.Count == 0)
        {
            return fallback;
        }

        if (text.Count > 1 || !long.TryParse(text[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value))
        {
            throw new BadRequestException(name, $"{InputQuote.Quote(text.ToString())} is not an integer");
        }

        return value < min || value > max
            ? throw new BadRequestException(name, $"{value} is outside {min}..{max}")
            : value;
    }
}
