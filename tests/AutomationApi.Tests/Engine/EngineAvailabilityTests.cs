using System.Net;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components.Specs;

namespace Platform.AutomationApi.Tests.Engine;

/// <summary>Issue 13: with no pulumi CLI, work is refused with 503 up front, and a never-provisioned environment can be deleted.</summary>
public sealed class EngineAvailabilityTests
{
    private const string Missing = "/nonexistent/bin/pulumi";

    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Without_the_engine_a_create_is_refused_with_503_naming_what_is_missing_and_nothing_is_queued()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = Missing);

        using var response = await factory.PostSpecAsync(Specs.Dev("nopulumi-dev"));

        Assert.Equal(HttpStatusCode.ServiceUnavailable, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await PlatformFactory.ReadAsync(response);
        Assert.Equal("pulumi", (string)problem["missing"]!);
        Assert.Contains(Missing, (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Contains("Platform:PulumiPath", (string)problem["detail"]!, StringComparison.Ordinal);
        // The cause, then the remedy once: the probe's detail is not a sentence with its own remedy and period.
        Assert.DoesNotContain("..", (string)problem["detail"]!, StringComparison.Ordinal);
        Assert.Single(Regex.Matches((string)problem["detail"]!, "set Platform:PulumiPath"));
        Assert.NotNull(response.Headers.RetryAfter);
        using var listed = await factory.CreateClient().GetAsync("/v1/environments/nopulumi-dev", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, listed.StatusCode);

        // /readyz says what is missing and the remedy, once.
        using var ready = await factory.CreateClient().GetAsync("/readyz", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
        var notReady = (string)(await PlatformFactory.ReadAsync(ready))["detail"]!;
        Assert.Contains(Missing, notReady, StringComparison.Ordinal);
        Assert.EndsWith("Install pulumi or set Platform:PulumiPath.", notReady, StringComparison.Ordinal);
        Assert.DoesNotContain("..", notReady, StringComparison.Ordinal);

        // Reading still works, and the start-up log said what is missing.
        using var paths = await factory.CreateClient().GetAsync("/v1/golden-paths", Cancel);
        Assert.Equal(HttpStatusCode.OK, paths.StatusCode);
        Assert.Contains(factory.Logs.Lines, l => l.StartsWith("Warning", StringComparison.Ordinal) && l.Contains("Deployment engine MISSING", StringComparison.Ordinal) && l.Contains(Missing, StringComparison.Ordinal) &&
            !l.Contains("..", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Without_the_engine_a_never_provisioned_environment_is_purged_on_delete_and_its_name_freed()
    {
        using var factory = new PlatformFactory(configure: s => s["Platform:PulumiPath"] = Missing);
        _ = factory.CreateClient();
        await SeedAsync(factory, "stuck-dev", attempts: 0, OperationState.Failed, "engine-missing");
        await SeedAsync(factory, "real-dev", attempts: 1, OperationState.Succeeded, null);

        using var purged = await factory.CreateClient().DeleteAsync("/v1/environments/stuck-dev", Cancel);

        Assert.Equal(HttpStatusCode.OK, purged.StatusCode);
        Assert.True((bool)(await PlatformFactory.ReadAsync(purged))["purged"]!);
        using var gone = await factory.CreateClient().GetAsync("/v1/environments/stuck-dev", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, gone.StatusCode);
        await using (var db = await factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel))
        {
            Assert.False(await db.Operations.AnyAsync(o => o.EnvironmentName == "stuck-dev", Cancel));
        }

        // One that did provision keeps its record: its destroy needs the engine.
        using var refused = await factory.CreateClient().DeleteAsync("/v1/environments/real-dev", Cancel);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await factory.CreateClient().GetAsync("/v1/environments/real-dev", Cancel)).StatusCode);
    }

    private static async Task SeedAsync(PlatformFactory factory, string name, int attempts, OperationState state, string? error)
    {
        var protector = factory.Services.GetRequiredService<SpecProtector>();
        await using var db = await factory.Services.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContextAsync(Cancel);
        var now = DateTimeOffset.UtcNow;
        var environment = new EnvironmentRecord
        {
            Id = "env_" + Guid.NewGuid().ToString("N"),
            Name = name,
            Team = "payments",
            Tier = Tier.Dev,
            Target = "default",
            Status = state == OperationState.Succeeded ? EnvironmentStatus.Ready : EnvironmentStatus.Failed,
            SpecText = protector.Protect(Specs.Dev(name)),
            CreatedAt = now,
            UpdatedAt = now,
            Version = Guid.NewGuid(),
        };
        var operation = new StackOperation
        {
            Id = "op_" + Guid.NewGuid().ToString("N"),
            EnvironmentName = name,
            EnvironmentId = environment.Id,
            Kind = OperationKind.Create,
            State = state,
            Attempts = attempts,
            ErrorCode = error,
            CreatedAt = now,
            FinishedAt = now,
            Version = Guid.NewGuid(),
        };
        environment.LastOperationId = operation.Id;
        db.Environments.Add(environment);
        db.Operations.Add(operation);
        await db.SaveChangesAsync(Cancel);
    }
}
