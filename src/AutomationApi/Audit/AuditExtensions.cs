namespace Platform.AutomationApi.Audit;

/// <summary>The audit log's wiring.</summary>
public static class AuditExtensions
{
    /// <summary>
    /// The per-request audit context, the log's reader and the middleware that writes an entry for every mutating request. The
    /// middleware goes in front of the whole pipeline (a startup filter), so it also sees requests refused by
    /// authentication and by the exception handler.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformAudit(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddScoped<RequestAudit>();
        builder.Services.AddScoped<AuditQuery>();
        builder.Services.AddTransient<IStartupFilter, AuditStartupFilter>();
        return builder;
    }

    private sealed class AuditStartupFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.UseMiddleware<AuditMiddleware>();
            next(app);
        };
    }
}
