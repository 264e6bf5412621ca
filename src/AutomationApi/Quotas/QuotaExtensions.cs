namespace Platform.AutomationApi.Quotas;

/// <summary>The quotas' wiring.</summary>
public static class QuotaExtensions
{
    /// <summary>The default limits (<c>Platform:Quotas:Default</c>), the checks, and the <c>422</c> answer to a request past a limit.</summary>
    public static IHostApplicationBuilder AddPlatformQuotas(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PlatformQuotaOptions>()
            .Bind(builder.Configuration.GetSection(PlatformQuotaOptions.SectionName))
            .Validate(o => o.Default is not { } d || (d.Dev is null or >= 0 && d.Staging is null or >= 0 && d.Prod is null or >= 0 && d.MonthlyCost is null or >= 0),
                "Platform:Quotas:Default:Dev, :Staging, :Prod and :MonthlyCost must be 0 or more (leave one out for unlimited).")
            .ValidateOnStart();
        builder.Services.AddSingleton<TeamQuotas>();
        builder.Services.AddScoped<QuotaAdministration>();
        builder.Services.AddExceptionHandler<QuotaProblems>();
        return builder;
    }
}
