using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// Answers requests the framework or server found malformed (<see cref="BadHttpRequestException"/>: unreadable JSON,
/// broken chunked framing, a body over the size limit) with their 4xx problem, and changes an environment or
/// operation cannot make in its state (<see cref="Lifecycle.IllegalTransitionException"/>) with a 409 problem, logged
/// as a warning with the request id: they are the client's error, not the service's, so they never show up as errors.
/// </summary>
internal sealed partial class ClientErrors(IProblemDetailsService problems, ILogger<ClientErrors> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var status = exception switch
        {
            BadHttpRequestException bad => bad.StatusCode,
            Lifecycle.IllegalTransitionException => StatusCodes.Status409Conflict,

            // Kestrel reports a chunk size beyond 64 bits as an I/O error wrapping the overflow, not as a bad request.
            IOException { InnerException: OverflowException } => StatusCodes.Status400BadRequest,
            _ => 0,
        };
        if (status == 0)
        {
            return false;
        }

        LogClientError(logger, httpContext.Request.Method, httpContext.Request.Path, status, exception.Message, httpContext.TraceIdentifier);
        httpContext.Response.StatusCode = status;
        return await problems.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            Exception = exception,
            ProblemDetails = new ProblemDetails
            {
                Status = status,
                Title = exception switch
                {
                    Lifecycle.IllegalTransitionException illegal => illegal.Title,
                    _ when status == StatusCodes.Status413PayloadTooLarge => "Request body too large",
                    _ => "Malformed request",
                },
                Detail = exception.Message,
            },
        });
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} with {StatusCode}: {Reason} (request {RequestId})")]
    private static partial void LogClientError(ILogger logger, string method, string path, int statusCode, string reason, string requestId);
}
