using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Apis;

/// <summary>A health report.</summary>
/// <param name="Status"><c>healthy</c> or <c>ready</c>.</param>
/// <param name="Engine">The engine's version, for readiness.</param>
public sealed record HealthReport(
    string Status,
    [property: System.Text.Json.Serialization.JsonIgnore(Condition = System.Text.Json.Serialization.JsonIgnoreCondition.WhenWritingNull)] string? Engine = null);

/// <summary>
/// Liveness (<c>/healthz</c>) and readiness (<c>/readyz</c>: the configured database, SQLite or PostgreSQL, reachable;
/// engine found).
/// </summary>
public static class HealthApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapHealthApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapGroup("").WithTags("Health").AllowAnonymous();
        api.MapGet("/healthz", () => TypedResults.Ok(new HealthReport("healthy"))).WithName("Liveness")
            .WithSummary("Liveness: the process is serving requests.");
        api.MapGet("/readyz", Ready).WithName("Readiness").ProducesProblem(StatusCodes.Status503ServiceUnavailable)
            .WithSummary("Readiness: the database is reachable and the pulumi CLI runs.");
        return app;
    }

    /// <summary>GET /readyz.</summary>
    public static async Task<Results<Ok<HealthReport>, ProblemHttpResult>> Ready(PlatformDbContext db, EngineProbe engine, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(db);
        ArgumentNullException.ThrowIfNull(engine);
        if (!await db.Database.CanConnectAsync(cancellationToken))
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: "The database is not reachable.");
        }

        var (found, detail) = await engine.CheckAsync(cancellationToken);
        return found
            ? TypedResults.Ok(new HealthReport("ready", detail))
            : TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Not ready", detail: $"{detail}. {EngineNotFoundException.Remedy}");
    }
}
