using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Apis;

namespace Platform.AutomationApi.Catalog;

/// <summary>A page of the service catalog.</summary>
/// <param name="Items">Services, by name, then environment.</param>
public sealed record CatalogPage(IReadOnlyList<CatalogService> Items);

/// <summary>One service name across every live environment that runs it.</summary>
/// <param name="Name">The service's name.</param>
/// <param name="Instances">Each environment's service of that name, by environment.</param>
public sealed record CatalogServiceInstances(string Name, IReadOnlyList<CatalogService> Instances);

/// <summary><c>/v1/catalog</c> and <c>/v1/costs</c>: what runs where, who owns it and what it costs.</summary>
public static class CatalogApi
{
    /// <summary>Maps the routes.</summary>
    public static IEndpointRouteBuilder MapCatalogApi(this IEndpointRouteBuilder app)
    {
        ArgumentNullException.ThrowIfNull(app);
        var catalog = app.MapGroup("/v1/catalog").WithTags("Catalog");
        catalog.ProducesValidationProblem().ProducesProblem(StatusCodes.Status404NotFound);
        catalog.MapGet("/services", ListServices).WithName("ListCatalogServices")
            .WithSummary("Every service of every live environment: owner, environment, tier, image, what it uses and what uses it, URL, estimated monthly cost.")
            .WithDescription("Read from each live environment's stored spec and the cost estimate stored with its last successful deployment " +
                             "(the environment's costEstimate), never by re-running the pipeline. estimatedMonthlyCost is the service's component of " +
                             "that estimate, null before a first successful deployment. Filter with team and environment.");
        catalog.MapGet("/services/{name}", GetService).WithName("GetCatalogService")
            .WithSummary("One service name across every live environment that runs it.")
            .WithDescription("Every live environment's service of that name (instances), by environment; 404 when no live environment runs one.");

        app.MapGet("/v1/costs", GetCosts).WithTags("Costs").WithName("GetCosts").ProducesValidationProblem()
            .WithSummary("Estimated monthly costs of the live environments grouped by team, costCenter, environment or service; the groups add up to the per-environment estimates.")
            .WithDescription("Sums the estimates stored with each live environment's last successful deployment, without rounding: total equals the sum " +
                             "of the environments' costEstimate.monthlyTotal, and the groups add up to total. By service, cloud resources and " +
                             "environment-wide objects are groups of their own kinds (resource, environment). Environments with no estimate yet are " +
                             "listed under unestimated. 400 names groupBy when it is none of team, costCenter, environment, service (default team).");
        return app;
    }

    /// <summary>Every service of every live environment: owner, environment, tier, image, what it uses and what uses it, URL, estimated monthly cost.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="team">Only this team's services.</param>
    /// <param name="environment">Only this environment's services.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Ok<CatalogPage>> ListServices(ServiceCatalog catalog, string? team, string? environment, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var live = await catalog.LiveEnvironmentsAsync(cancellationToken);
        var services = live
            .Where(e => (team is null || e.Team == team) && (environment is null || e.Name == environment))
            .SelectMany(e => e.Services)
            .OrderBy(s => s.Name, StringComparer.Ordinal)
            .ThenBy(s => s.Environment, StringComparer.Ordinal);
        return TypedResults.Ok(new CatalogPage([.. services]));
    }

    /// <summary>One service name across every live environment that runs it.</summary>
    /// <param name="name">The service's name.</param>
    /// <param name="catalog">The catalog.</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<CatalogServiceInstances>, ProblemHttpResult>> GetService(string name, ServiceCatalog catalog, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var live = await catalog.LiveEnvironmentsAsync(cancellationToken);
        var instances = live.SelectMany(e => e.Services).Where(s => s.Name == name).OrderBy(s => s.Environment, StringComparer.Ordinal).ToList();
        return instances.Count == 0
            ? TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Service not found",
                detail: $"No live environment runs a service named '{name}'. List them with {CliRemedies.ListServices}.")
            : TypedResults.Ok(new CatalogServiceInstances(name, instances));
    }

    /// <summary>Estimated monthly costs of the live environments grouped by team, costCenter, environment or service; the groups add up to the per-environment estimates.</summary>
    /// <param name="catalog">The catalog.</param>
    /// <param name="groupBy">The grouping (default <c>team</c>).</param>
    /// <param name="cancellationToken">Request abort.</param>
    public static async Task<Results<Ok<CostReport>, ValidationProblem>> GetCosts(ServiceCatalog catalog, string? groupBy, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(catalog);
        var grouping = CostGrouping.Team;
        if (groupBy is not null && (!Enum.TryParse(groupBy, ignoreCase: true, out grouping) || !Enum.IsDefined(grouping)))
        {
            return TypedResults.ValidationProblem(new Dictionary<string, string[]>
            {
                ["groupBy"] = [$"Unknown grouping '{groupBy}'. Use one of: team, costCenter, environment, service."],
            });
        }

        return TypedResults.Ok(CostView.Of(await catalog.LiveEnvironmentsAsync(cancellationToken), grouping));
    }
}
