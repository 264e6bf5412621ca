using Platform.AutomationApi.Extensions;
using Platform.AutomationApi.Telemetry;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformOptions();
builder.AddPlatformStorage();
builder.AddPlatformEngine();
builder.AddPlatformOperations();
builder.AddPlatformApi();
builder.AddPlatformTelemetry();

var app = builder.Build();
app.MapPlatformApi();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
