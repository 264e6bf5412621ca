using System.Text.Json;
using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Apis;

/// <summary>
/// An operation's events as Server-Sent Events (<c>text/event-stream</c>): each event <c>id: &lt;sequence&gt;</c>,
/// <c>event: &lt;type&gt;</c>, <c>data: &lt;json&gt;</c>, flushed batch by batch (<see cref="OperationEventStream"/>);
/// a client that goes away resumes with <c>Last-Event-ID</c>.
/// </summary>
internal sealed class OperationEventsResult(IAsyncEnumerable<IReadOnlyList<OperationEvent>> batches) : IResult
{
    private static readonly JsonSerializerOptions Json = SpecView.CreateOptions();

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        ArgumentNullException.ThrowIfNull(httpContext);
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.Headers.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no";
        try
        {
            await response.Body.FlushAsync(cancellationToken);
            await foreach (var batch in batches.WithCancellation(cancellationToken))
            {
                foreach (var item in batch)
                {
                    var data = JsonSerializer.Serialize(new { item.Sequence, item.Timestamp, item.Type, item.Detail, item.Urn, item.Message }, Json);
                    await response.WriteAsync($"id: {item.Sequence}\nevent: {item.Type}\ndata: {data}\n\n", cancellationToken);
                }

                await response.Body.FlushAsync(cancellationToken);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // The client went away; it resumes with Last-Event-ID.
        }
    }
}
