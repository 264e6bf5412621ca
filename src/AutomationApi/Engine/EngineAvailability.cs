using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Engine;

/// <summary>
/// While the <c>pulumi</c> CLI cannot run, work that needs it is refused up front with <c>503</c> and a problem naming
/// what is missing, instead of being accepted and failing later with <c>engine-missing</c> (which used to leave the
/// name blocked). One exception: deleting an environment that never provisioned anything (no engine command of it
/// ever ran) needs no engine, so its record and its operations are purged at once.
/// </summary>
public static partial class EngineAvailability
{
    /// <summary>The routes (by endpoint name) whose work runs the engine.</summary>
    public static IReadOnlySet<string> EngineRoutes { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "CreateEnvironment", "UpdateEnvironment", "DestroyEnvironment", "PreviewEnvironment", "RefreshEnvironment",
        "DeployService", "PromoteEnvironment", "RollbackEnvironment",
    };

    /// <summary>Adds the check in front of every route that runs the engine.</summary>
    public static WebApplication UseEngineAvailability(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        app.Use(async (context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<IEndpointNameMetadata>()?.EndpointName is not { } route || !EngineRoutes.Contains(route))
            {
                await next(context);
                return;
            }

            var probe = context.RequestServices.GetRequiredService<EngineProbe>();
            var (found, detail) = await probe.CheckAsync(context.RequestAborted);
            if (found)
            {
                await next(context);
                return;
            }

            if (route == "DestroyEnvironment" && context.Request.RouteValues["name"] is string name &&
                await TryPurgeAsync(context.RequestServices, name, context.RequestAborted) is { } purged)
            {
                await TypedResults.Ok(purged).ExecuteAsync(context);
                return;
            }

            var options = context.RequestServices.GetRequiredService<IOptions<PlatformOptions>>().Value;
            LogRefused(context.RequestServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EngineAvailability).FullName!),
                context.Request.Method, context.Request.Path, detail, context.TraceIdentifier);
            context.Response.Headers.RetryAfter = "60";
            await TypedResults.Problem(
                statusCode: StatusCodes.Status503ServiceUnavailable,
                title: "The deployment engine is unavailable",
                detail: $"This request needs the pulumi CLI, which cannot run: {detail}. Install it on the service's PATH or set " +
                        $"Platform:PulumiPath (now '{options.PulumiPath}'); /readyz reports when it is back. Nothing was queued. " +
                        "An environment that never provisioned anything can still be deleted.",
                extensions: new Dictionary<string, object?> { ["missing"] = "pulumi", ["pulumiPath"] = options.PulumiPath })
                .ExecuteAsync(context);
        });
        return app;
    }

    /// <summary>
    /// Removes environment <paramref name="name"/> and its operations when none of them ever ran an engine command (so
    /// nothing can exist in the cloud or the stack); <see langword="null"/> when it has no such record or did provision.
    /// </summary>
    public static async Task<PurgedEnvironment?> TryPurgeAsync(IServiceProvider services, string name, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(services);
        await using var db = await services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(cancellationToken);
        var environment = await db.Environments.SingleOrDefaultAsync(e => e.Name == name && e.Status != EnvironmentStatus.Destroyed, cancellationToken);
        if (environment is null)
        {
            return null;
        }

        var operations = await db.Operations.Where(o => o.EnvironmentId == environment.Id).ToListAsync(cancellationToken);
        if (operations.Any(o => o.Attempts > 0 || o.State == OperationState.Running || o.State == OperationState.Succeeded))
        {
            return null;
        }

        var ids = operations.Select(o => o.Id).ToList();
        db.Events.RemoveRange(await db.Events.Where(e => ids.Contains(e.OperationId)).ToListAsync(cancellationToken));
        db.IdempotencyKeys.RemoveRange(await db.IdempotencyKeys.Where(k => ids.Contains(k.OperationId)).ToListAsync(cancellationToken));
        db.Operations.RemoveRange(operations);
        db.Environments.Remove(environment);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            return null; // Something else changed it: the ordinary refusal applies.
        }

        var paths = services.GetRequiredService<PlatformPaths>();
        var workspace = Path.Combine(paths.WorkspacesDirectory, name);
        if (Directory.Exists(workspace))
        {
            Directory.Delete(workspace, recursive: true);
        }

        LogPurged(services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(EngineAvailability).FullName!), name, ids.Count);
        return new PurgedEnvironment(name, true, ids,
            $"Environment '{name}' never provisioned anything (no engine command of it ever ran), so its record and its {ids.Count} operation(s) were removed without the engine. The name is free.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refused {Method} {Path} with 503: the pulumi CLI cannot run: {Detail} (request {RequestId})")]
    private static partial void LogRefused(ILogger logger, string method, string path, string detail, string requestId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Purged environment {Name} and its {Operations} operation(s): it never provisioned anything")]
    private static partial void LogPurged(ILogger logger, string name, int operations);
}

/// <summary>The answer to deleting an environment that never provisioned anything.</summary>
/// <param name="Name">The environment.</param>
/// <param name="Purged">Always true: the record is gone.</param>
/// <param name="Operations">The operations removed with it.</param>
/// <param name="Detail">What happened, in a sentence.</param>
public sealed record PurgedEnvironment(string Name, bool Purged, IReadOnlyList<string> Operations, string Detail);

/// <summary>Says at start-up, in the log, whether the pulumi CLI runs, and what is missing when it does not.</summary>
internal sealed partial class EngineStartupCheck(EngineProbe probe, IOptions<PlatformOptions> options, ILogger<EngineStartupCheck> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        var (found, detail) = await probe.CheckAsync(cancellationToken);
        if (found)
        {
            LogFound(logger, options.Value.PulumiPath, detail);
        }
        else
        {
            LogMissing(logger, options.Value.PulumiPath, detail);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Deployment engine: pulumi ({PulumiPath}) {Version}")]
    private static partial void LogFound(ILogger logger, string pulumiPath, string version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Deployment engine MISSING: the pulumi CLI ({PulumiPath}, Platform:PulumiPath) cannot run: {Detail}. " + EngineNotFoundException.Remedy + " " +
        "Creating, updating, previewing, refreshing and destroying environments is refused with 503 until it is installed; reading works, and environments that never provisioned anything can be deleted.")]
    private static partial void LogMissing(ILogger logger, string pulumiPath, string detail);
}
