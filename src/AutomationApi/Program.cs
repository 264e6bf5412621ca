using Platform.AutomationApi.Audit;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Catalog;
using Platform.AutomationApi.Extensions;
using Platform.AutomationApi.Notifications;
using Platform.AutomationApi.Quotas;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformOptions();
builder.AddPlatformStorage();
builder.AddPlatformEngine();
builder.AddPlatformOperations();
builder.AddPlatformApi();
builder.AddPlatformAuth();
builder.AddPlatformTelemetry();
builder.AddPlatformCatalog();
builder.AddPlatformNotifications();
builder.AddPlatformAudit();
builder.AddPlatformQuotas();

var app = builder.Build();
if (args is ["db", "migrate", ..])
{
    // For operators who apply schema changes themselves (Platform:Database:MigrateOnStart=false): same configuration.
    // Disposed before exiting, so the console logger writes out the outcome it queued (it was lost on a busy machine).
    await using (app)
    {
        return await app.MigrateDatabaseAsync();
    }
}

app.MapPlatformApi();
app.MapCatalogApi();
app.MapWebhooksApi();
app.MapAuditApi();
app.MapQuotasApi();
app.Run();
return 0;

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
