using Microsoft.AspNetCore.Http.HttpResults;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.AutomationApi.Apis;

/// <summary>What a spec may ask for: workload and resource types, their options, tier defaults and targets.</summary>
/// <param name="ServiceTypes">Workload types and the fields each accepts.</param>
/// <param name="ResourceTypes">Managed resource types and the fields each accepts.</param>
/// <param name="Tiers">Every tier's defaults and guardrails.</param>
/// <param name="Targets">Names of the configured deployment targets.</param>
public sealed record GoldenPaths(
    IReadOnlyList<GoldenPathType> ServiceTypes,
    IReadOnlyList<GoldenPathType> ResourceTypes,
    IReadOnlyList<TierProfile> Tiers,
    IReadOnlyList<string> Targets)
{
    /// <summary>The golden paths this release offers, with <paramref name="targets"/>' names.</summary>
    /// <param name="targets">The configured deployment targets.</param>
    public static GoldenPaths Of(TargetSettings targets)
    {
        ArgumentNullException.ThrowIfNull(targets);
        var common = new Dictionary<string, string>
        {
            ["image"] = "required: image with an explicit tag or digest",
            ["env"] = "map of values; { secret: <value> } marks a secret",
            ["uses"] = "names of services and resources it talks to",
            ["replicas"] = "{ min, max }; tier default when absent",
            ["resources"] = "{ cpu, memory } requests; tier default when absent",
            ["command"] = "overrides the entrypoint",
            ["args"] = "overrides the arguments",
        };
        var services = new List<GoldenPathType>
        {
            new("web", "Long-running HTTP service behind a Service and optionally an Ingress.", new Dictionary<string, string>(common)
            {
                ["port"] = $"container port; default {ServiceSpec.DefaultWebPort}",
                ["host"] = "public host prefix: host.environment.baseDomain",
                ["healthPath"] = $"probe path; default {ServiceSpec.DefaultHealthPath}",
            }),
            new("worker", "Long-running background process; inbound traffic only on a declared port.", new Dictionary<string, string>(common)
            {
                ["port"] = "container port other services reach it on (uses); none by default",
            }),

            // Only what validation accepts for each type: a cron job has no replicas, port, host or probe path.
            new("cron", "Scheduled job (Kubernetes CronJob).", new Dictionary<string, string>(common.Where(o => o.Key != "replicas"))
            {
                ["schedule"] = "required: five-field cron schedule or @hourly/@daily/@weekly/@monthly",
            }),
        };
        // One entry per registered resource kind: its fields with their values and defaults, and its tier settings.
        var resources = ResourceKinds.All.Select(k => new GoldenPathType(k.Name, k.Description,
            k.Fields.ToDictionary(f => f.Name, f => f.Summary, StringComparer.Ordinal),
            k.TierSettings.ToDictionary(t => t.Name, t => TierProfile.All.ToDictionary(p => Ownership.TierName(p.Tier), p => t.For(p.Tier), StringComparer.Ordinal), StringComparer.Ordinal))).ToList();
        return new GoldenPaths(services, resources, [.. TierProfile.All], [.. targets.Names]);
    }
}

/// <summary>One workload or resource type.</summary>
/// <param name="Type">The type as written in specs.</param>
/// <param name="Description">What it is.</param>
/// <param name="Options">Fields it accepts, with their allowed values or defaults.</param>
/// <param name="TierSettings">For a resource type, each setting the tier decides, by tier (<c>dev</c>, <c>staging</c>, <c>prod</c>).</param>
public sealed record GoldenPathType(
    string Type,
    string Description,
    IReadOnlyDictionary<string, string> Options,
    IReadOnlyDictionary<string, Dictionary<string, string>>? TierSettings = null);

/// <summary><c>/v1/golden-paths</c>.</summary>
public static class GoldenPathsApi
{
    /// <summary>Maps the route.</summary>
    public static IEndpointRouteBuilder MapGoldenPathsApi(this IEndpointRouteBuilder app)
    {
        app.MapGroup("/v1/golden-paths").WithTags("Golden paths")
            .MapGet("/", GetGoldenPaths).WithName("GetGoldenPaths")
            .WithSummary("List the workload and resource types with their options, tier defaults and deployment targets.");
        return app;
    }

    /// <summary>GET /v1/golden-paths.</summary>
    public static Ok<GoldenPaths> GetGoldenPaths(TargetSettings targets) => TypedResults.Ok(GoldenPaths.Of(targets));
}
