using System.Buffers;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Reads a request body as text within <see cref="PlatformLimits.MaxRequestBodyBytes"/>: a declared length over the
/// limit is refused before reading, an undeclared (chunked) one as soon as it passes it, and bytes that are not
/// UTF-8 are the caller's 400, never silently replaced. Kestrel enforces the same limit for every other body.
/// </summary>
internal static partial class RequestBodies
{
    private static readonly UTF8Encoding StrictUtf8 = new(encoderShouldEmitUTF8Identifier: false, throwOnInvalidBytes: true);

    /// <summary>The body as text, or the problem that answers the request instead.</summary>
    public static async Task<(string? Text, IResult? Problem)> ReadTextAsync(
        HttpRequest request, long limit, ILogger logger, CancellationToken cancellationToken)
    {
        if (request.ContentLength is { } declared && declared > limit)
        {
            LogTooLarge(logger, request.Method, request.Path, declared, limit, request.HttpContext.TraceIdentifier);
            return (null, TooLarge(limit));
        }

        using var body = new MemoryStream();
        var chunk = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            int read;
            while ((read = await request.Body.ReadAsync(chunk, cancellationToken)) > 0)
            {
                if (body.Length + read > limit)
                {
                    LogTooLarge(logger, request.Method, request.Path, body.Length + read, limit, request.HttpContext.TraceIdentifier);
                    return (null, TooLarge(limit));
                }

                body.Write(chunk, 0, read);
            }
        }
        catch (BadHttpRequestException ex)
        {
            // Malformed framing (a bad chunk size, a body cut short) or the server's own size limit: the client's fault.
            LogMalformed(logger, request.Method, request.Path, ex.StatusCode, ex.Message, request.HttpContext.TraceIdentifier);
            return (null, ex.StatusCode == StatusCodes.Status413PayloadTooLarge
                ? TooLarge(limit)
                : TypedResults.Problem(statusCode: ex.StatusCode, title: "Malformed request body", detail: $"The request body could not be read: {ex.Message}"));
        }
        catch (IOException ex)
        {
            // Kestrel reports some framing faults as plain I/O errors (a chunk size beyond 64 bits overflows): while
            // reading a body, that is still the client's malformed request (or its vanished connection).
            LogMalformed(logger, request.Method, request.Path, StatusCodes.Status400BadRequest, ex.Message, request.HttpContext.TraceIdentifier);
            return (null, TypedResults.Problem(statusCode: StatusCodes.Status400BadRequest, title: "Malformed request body", detail: $"The request body could not be read: {ex.Message}"));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(chunk);
        }

        var bytes = body.GetBuffer().AsSpan(0, (int)body.Length);
        if (bytes.StartsWith(Encoding.UTF8.Preamble))
        {
            bytes = bytes[Encoding.UTF8.Preamble.Length..];
        }

        try
        {
            return (StrictUtf8.GetString(bytes), null);
        }
        catch (DecoderFallbackException ex)
        {
            var offset = Math.Clamp(ex.Index, 0, bytes.Length);
            var before = bytes[..offset];
            var line = before.Count((byte)'\n') + 1;
            var column = offset - (before.LastIndexOf((byte)'\n') + 1) + 1;
            return (null, TypedResults.ValidationProblem(
                new Dictionary<string, string[]> { ["body"] = [$"Byte {offset} (line {line}, byte {column} of the line) is not valid UTF-8. Send the spec as UTF-8 text."] },
                title: "The request body is not UTF-8 text",
                detail: "Specs are YAML or JSON text in UTF-8."));
        }
    }

    private static ProblemHttpResult TooLarge(long limit) =>
        TypedResults.Problem(statusCode: StatusCodes.Status413PayloadTooLarge, title: "Request body too large",
            detail: $"A request body may have at most {limit} bytes (Platform:Limits:MaxRequestBodyBytes). A spec within the " +
                    "service and resource limits is far smaller: check what is being sent.");

    [LoggerMessage(Level = LogLevel.Information, Message = "Refused {Method} {Path}: the body ({Bytes} bytes so far) exceeds the limit of {Limit} bytes (request {RequestId})")]
    private static partial void LogTooLarge(ILogger logger, string method, string path, long bytes, long limit, string requestId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} with {StatusCode}: malformed request body: {Reason} (request {RequestId})")]
    private static partial void LogMalformed(ILogger logger, string method, string path, int statusCode, string reason, string requestId);
}
