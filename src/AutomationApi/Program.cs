using Platform.AutomationApi.Extensions;

var builder = WebApplication.CreateBuilder(args);

builder.AddPlatformOptions();
builder.AddPlatformStorage();
builder.AddPlatformEngine();
builder.AddPlatformOperations();
builder.AddPlatformApi();

var app = builder.Build();
app.MapPlatformApi();
app.Run();

/// <summary>Entry point, public for WebApplicationFactory.</summary>
public partial class Program;
