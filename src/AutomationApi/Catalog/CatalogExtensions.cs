namespace Platform.AutomationApi.Catalog;

/// <summary>The catalog's and cost view's wiring.</summary>
public static class CatalogExtensions
{
    /// <summary>The service catalog (one per process: it caches parsed specs by row version).</summary>
    public static IHostApplicationBuilder AddPlatformCatalog(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<ServiceCatalog>();
        return builder;
    }
}
