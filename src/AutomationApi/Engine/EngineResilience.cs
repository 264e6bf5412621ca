using Microsoft.Extensions.Options;
using Polly;
using Polly.CircuitBreaker;
using Polly.Registry;
using Polly.Retry;

namespace Platform.AutomationApi.Engine;

/// <summary>
/// Resilience around engine commands, one pipeline per deployment target: retries with exponential backoff and
/// jitter for transient failures only (a stale lock that was cleared, a plugin download or network error) — never
/// for a program, resource or policy error — inside a circuit breaker that stops hammering a target whose engine
/// keeps failing for reasons of its own.
/// </summary>
public sealed class EngineResilience(IOptions<PlatformOptions> options, ILogger<EngineResilience> logger) : IDisposable
{
    private readonly ResiliencePipelineRegistry<string> _registry = new();

    /// <inheritdoc />
    public void Dispose() => _registry.Dispose();

    /// <summary>
    /// The pipeline for bookkeeping commands (stack select, config, outputs, cancel): retries only. They talk to the
    /// backend, not the target, so they say nothing about the target's health.
    /// </summary>
    public ResiliencePipeline<EngineResult> Backend =>
        _registry.GetOrAddPipeline<EngineResult>(BackendKey, (builder, _) => builder.AddRetry(Retry(BackendKey)));

    /// <summary>The pipeline of a deployment target's engine commands (up, preview, refresh, destroy).</summary>
    public ResiliencePipeline<EngineResult> For(string target) =>
        _registry.GetOrAddPipeline<EngineResult>(TargetKey + target, (builder, _) =>
        {
            var settings = options.Value;
            builder
                .AddRetry(Retry(target))
                .AddCircuitBreaker(new CircuitBreakerStrategyOptions<EngineResult>
                {
                    ShouldHandle = args => ValueTask.FromResult(IsEngineTrouble(args.Outcome.Result?.Error)),

                    // Half of a target's recent commands failing for engine reasons is no coincidence.
                    FailureRatio = 0.5,
                    MinimumThroughput = Math.Max(2, settings.CircuitBreakerFailures),
                    SamplingDuration = TimeSpan.FromMinutes(5),
                    BreakDuration = settings.CircuitBreakDuration,
                    OnOpened = args =>
                    {
                        logger.LogError("Circuit for target {Target} opened for {Duration}", target, args.BreakDuration);
                        return ValueTask.CompletedTask;
                    },
                });
        });

    private const string BackendKey = "backend";
    private const string TargetKey = "target:";

    private RetryStrategyOptions<EngineResult> Retry(string name)
    {
        var settings = options.Value;
        return new RetryStrategyOptions<EngineResult>
        {
            ShouldHandle = args => ValueTask.FromResult(args.Outcome.Result?.Error?.Transient == true),
            MaxRetryAttempts = Math.Max(1, settings.EngineRetries),
            BackoffType = DelayBackoffType.Exponential,
            UseJitter = true,
            Delay = settings.EngineRetryDelay,
            OnRetry = args =>
            {
                logger.LogWarning("Retrying engine command ({Pipeline}) after {Code} (attempt {Attempt}, delay {Delay})",
                    name, args.Outcome.Result?.Error?.Code, args.AttemptNumber + 1, args.RetryDelay);
                return ValueTask.CompletedTask;
            },
        };
    }

    /// <summary>
    /// Whether a failure says something about the target's engine (network, plugins, crashes, credentials) rather
    /// than about one environment's program, so that it counts towards opening the target's circuit.
    /// </summary>
    public static bool IsEngineTrouble(EngineError? error) => error?.Code is
        EngineErrorCodes.Network or EngineErrorCodes.Plugin or EngineErrorCodes.Crashed or EngineErrorCodes.Authentication;
}
