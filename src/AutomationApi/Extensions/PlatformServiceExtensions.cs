using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Auth;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Storage;
using Platform.AutomationApi.Storage.Migrations;
using Platform.Components.Policies;
using Platform.Components.Targets;
using Scalar.AspNetCore;

namespace Platform.AutomationApi.Extensions;

/// <summary>The service's wiring, one extension per concern, so Program.cs reads as a table of contents.</summary>
public static class PlatformServiceExtensions
{
    /// <summary>Options (section <c>Platform</c>; <c>PLATFORM_DATA_DIR</c> for the data directory), paths, clock.</summary>
    public static IHostApplicationBuilder AddPlatformOptions(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddOptions<PlatformOptions>()
            .Bind(builder.Configuration.GetSection(PlatformOptions.SectionName))
            .PostConfigure(options =>
            {
                if (builder.Configuration[$"{PlatformOptions.SectionName}:{nameof(PlatformOptions.DataDirectory)}"] is null &&
                    builder.Configuration["PLATFORM_DATA_DIR"] is { Length: > 0 } dataDirectory)
                {
                    options.DataDirectory = dataDirectory;
                }

                // The CLI's variable for the targets file, so both read the same targets.
                if (string.IsNullOrEmpty(options.TargetsFile) && builder.Configuration["PLATFORM_TARGETS"] is { Length: > 0 } targets)
                {
                    options.TargetsFile = targets;
                }

                if (string.IsNullOrEmpty(options.PolicyFile) && builder.Configuration["PLATFORM_POLICIES"] is { Length: > 0 } policies)
                {
                    options.PolicyFile = policies;
                }
            })
            .Validate(o => o.MaxConcurrentOperations > 0, "Platform:MaxConcurrentOperations must be positive.")
            .Validate(o => !string.IsNullOrWhiteSpace(o.PulumiPath), "Platform:PulumiPath must name the pulumi executable.")
            .Validate(o => o.Limits.MaxRequestBodyBytes > 0, "Platform:Limits:MaxRequestBodyBytes must be positive (bytes; the default is 1048576).")
            .Validate(o => o.ReadCache.Duration >= TimeSpan.Zero && o.ReadCache.MaxEntries > 0 && o.ReadCache.RefreshAhead >= TimeSpan.Zero,
                "Platform:ReadCache:Duration and Platform:ReadCache:RefreshAhead must not be negative (00:00:00 turns either off) and " +
                "Platform:ReadCache:MaxEntries must be positive (defaults 00:00:02, 00:00:00.500 and 10000).")
            .Validate(o => o.Limits.MaxServices > 0 && o.Limits.MaxResources >= 0,
                "Platform:Limits:MaxServices must be positive and Platform:Limits:MaxResources at least 0 (the defaults are 200 and 100).")
            .ValidateOnStart();
        builder.Services.AddSingleton<IValidateOptions<PlatformOptions>, PlatformDatabaseValidation>();
        builder.Services.AddSingleton(sp => new PlatformPaths(sp.GetRequiredService<IOptions<PlatformOptions>>().Value, builder.Environment.ContentRootPath));
        builder.Services.TryAddSingleton(TimeProvider.System);
        return builder;
    }

    /// <summary>
    /// The database (SQLite in the data directory, or PostgreSQL: <c>Platform:Database</c>) and the stack secrets passphrase.
    /// </summary>
    public static IHostApplicationBuilder AddPlatformStorage(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        // A context pool per provider subtype (only the configured one is ever used), configured like the contexts
        // were: the provider, then whatever ConfigureDbContext<PlatformDbContext> adds (interceptors, tests' watchers).
        static void Configure(IServiceProvider sp, DbContextOptionsBuilder options)
        {
            PlatformDatabase.Configure(options, sp.GetRequiredService<IOptions<PlatformOptions>>().Value.Database, sp.GetRequiredService<PlatformPaths>());
            foreach (var configuration in sp.GetServices<IDbContextOptionsConfiguration<PlatformDbContext>>())
            {
                configuration.Configure(sp, options);
            }
        }

        builder.Services.AddPooledDbContextFactory<SqlitePlatformDbContext>(Configure);
        builder.Services.AddPooledDbContextFactory<PostgresPlatformDbContext>(Configure);
        builder.Services.AddSingleton<IDbContextFactory<PlatformDbContext>, ProviderDbContextFactory>();
        builder.Services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<PlatformDbContext>>().CreateDbContext());
        builder.Services.AddSingleton<PassphraseStore>();
        builder.Services.AddSingleton<SpecProtector>();
        return builder;
    }

    /// <summary>The engine (the pulumi CLI), its resilience pipelines, the spec pipeline and deployment targets.</summary>
    public static IHostApplicationBuilder AddPlatformEngine(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton(sp =>
        {
            var paths = sp.GetRequiredService<PlatformPaths>();
            if (paths.TargetsFile is { } file && paths.TargetsFileRequired && !File.Exists(file))
            {
                throw new InvalidOperationException($"Targets file not found: {file} (Platform:TargetsFile or PLATFORM_TARGETS).");
            }

            return TargetSettings.Load(paths.TargetsFile);
        });
        builder.Services.AddSingleton(sp =>
        {
            var paths = sp.GetRequiredService<PlatformPaths>();
            if (paths.PolicyFile is { } file && paths.PolicyFileRequired && !File.Exists(file))
            {
                throw new InvalidOperationException($"Policy settings file not found: {file} (Platform:PolicyFile or PLATFORM_POLICIES).");
            }

            return paths.PolicyFile is { } policy ? PolicySettings.Load(policy) : PolicySettings.Default;
        });
        builder.Services.AddSingleton<IProgramRenderer, PulumiYamlProgramRenderer>();
        builder.Services.AddSingleton<EnvironmentCompiler>();
        builder.Services.AddSingleton<ProcessRunner>();

        // On shutdown the worker interrupts running engines and waits for their in-flight resource operations, up to
        // the cancel grace period: the host must wait at least that long before giving up on it.
        builder.Services.AddOptions<HostOptions>().PostConfigure<IOptions<PlatformOptions>>((host, platform) =>
        {
            var needed = platform.Value.CancelGracePeriod + TimeSpan.FromSeconds(30);
            host.ShutdownTimeout = host.ShutdownTimeout > needed ? host.ShutdownTimeout : needed;
        });
        builder.Services.AddSingleton<IStackEngine, PulumiCliEngine>();
        builder.Services.AddSingleton<EngineResilience>();
        builder.Services.AddSingleton<EngineProbe>();
        builder.Services.AddHostedService<EngineStartupCheck>();
        return builder;
    }

    /// <summary>Operations: queue, worker, start-up recovery and the TTL reaper.</summary>
    public static IHostApplicationBuilder AddPlatformOperations(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddSingleton<OperationSignal>();
        builder.Services.AddSingleton<RunningOperations>();
        builder.Services.AddScoped<OperationQueue>();
        builder.Services.AddScoped<EnvironmentLookup>();
        builder.Services.AddScoped<QueuedOperationSave>();
        builder.Services.AddScoped<EnvironmentCommands>();
        builder.Services.AddScoped<DeploymentCommands>();
        builder.Services.AddScoped<OperationCommands>();
        builder.Services.AddScoped<OperationEventStream>();
        builder.Services.AddScoped<EnvironmentHistory>();
        builder.Services.AddSingleton<EnvironmentLifecycle>();
        builder.Services.AddSingleton<OperationExecutor>();
        builder.Services.AddSingleton<ReplicaIdentity>();
        builder.Services.AddSingleton<OperationLeases>();
        builder.Services.AddSingleton<PlanHandoff>();
        builder.Services.AddSingleton<TakenOverStackLocks>();

        // Recovery first: hosted services start in registration order, and the worker must not see stale work. The
        // worker recovers operations of dead replicas with the same instance.
        builder.Services.AddSingleton<StartupRecovery>();
        builder.Services.AddHostedService(sp => sp.GetRequiredService<StartupRecovery>());
        builder.Services.AddHostedService<OperationWorker>();
        builder.Services.AddHostedService<TtlReaper>();
        builder.Services.AddOperationWakeups();
        return builder;
    }

    /// <summary>Problem details everywhere, JSON conventions and the OpenAPI document.</summary>
    public static IHostApplicationBuilder AddPlatformApi(this IHostApplicationBuilder builder)
    {
        ArgumentNullException.ThrowIfNull(builder);
        builder.Services.AddProblemDetails();
        builder.Services.AddSingleton<EnvironmentReadCache>();
        builder.Services.AddScoped<IdempotencyClaim>();
        builder.Services.AddScoped<IdempotencyFilter>();
        builder.Services.AddHostedService<IdempotencyKeyCleanup>();
        builder.Services.AddExceptionHandler<ClientErrors>();

        // Every body, whichever endpoint reads it, stops at the configured size (413); spec bodies are also bounded
        // by their own reader, so the limit holds behind any server.
        builder.Services.AddOptions<KestrelServerOptions>().Configure<IOptions<PlatformOptions>>((kestrel, platform) =>
            kestrel.Limits.MaxRequestBodySize = platform.Value.Limits.MaxRequestBodyBytes);
        // Enums as camelCase strings and durations in the spec's form (14d), in every response. A query value or body
        // that does not bind throws, so ClientErrors names the field instead of a bare 400. (Request records refuse
        // fields they do not take with their own attribute: set here, it would also mark every response schema of the
        // OpenAPI document closed.)
        builder.Services.ConfigureHttpJsonOptions(options => Platform.Components.SpecDocuments.SpecJson.Configure(options.SerializerOptions));
        builder.Services.Configure<Microsoft.AspNetCore.Routing.RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        builder.Services.AddPlatformOpenApi(options => options.AddOperationTransformer(IdempotencyFilter.DocumentHeader));

        // After the OpenAPI customization (which names the types a 415 accepts), so what it quotes is bounded too.
        builder.Services.AddBoundedProblemValues();
        return builder;
    }

    /// <summary>Middleware and every route.</summary>
    public static WebApplication MapPlatformApi(this WebApplication app)
    {
        ArgumentNullException.ThrowIfNull(app);
        // Malformed requests (bad JSON, unbindable parameters, broken framing, oversized bodies) are the caller's 4xx,
        // not our 500: ClientErrors answers them and logs a warning; anything else is a 500 logged as an error.
        app.UseExceptionHandler(new ExceptionHandlerOptions
        {
            StatusCodeSelector = ex => ex switch
            {
                Microsoft.AspNetCore.Http.BadHttpRequestException bad => bad.StatusCode,
                IllegalTransitionException => StatusCodes.Status409Conflict,
                _ => StatusCodes.Status500InternalServerError,
            },
        });
        app.UseStatusCodePages();
        app.UsePlatformAuth();
        app.UseEngineAvailability();
        app.Use(IdempotencyFilter.BufferKeyedBodies);
        app.MapOpenApi().AllowAnonymous();
        app.MapScalarApiReference().AllowAnonymous();
        app.MapHealthApi();
        app.MapEnvironmentsApi();
        app.MapSpecDocumentApi();
        app.MapSchemasApi();
        app.MapHistoryApi();
        app.MapDeploymentsApi();
        app.MapOperationsApi();
        app.MapGoldenPathsApi();
        app.MapKeysApi();
        return app;
    }
}
