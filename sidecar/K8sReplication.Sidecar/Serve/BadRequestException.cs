namespace K8sReplication.Sidecar.Serve;

/// <summary>A request is refused before anything changes; becomes a JSON 4xx naming the field at fault.</summary>
internal sealed class BadRequestException : Exception
{
    public BadRequestException()
    {
    }

    public BadRequestException(string message)
        : base(message)
    {
    }

    public BadRequestException(string message, Exception innerException)
        : base(message, innerException)
    {
    }

    public BadRequestException(string? field, string message, int status = StatusCodes.Status400BadRequest)
        : base(message)
    {
        Field = field;
        Status = status;
    }

    public string? Field { get; }

    public int Status { get; } = StatusCodes.Status400BadRequest;

    public static bool IsTransient => false;
}
