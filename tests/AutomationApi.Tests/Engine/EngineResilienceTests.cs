using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Platform.AutomationApi.Engine;
using Polly.CircuitBreaker;

namespace Platform.AutomationApi.Tests.Engine;

public sealed class EngineResilienceTests
{
    private static EngineResilience Create(int failures = 2) => new(
        Options.Create(new PlatformOptions
        {
            EngineRetries = 2,
            EngineRetryDelay = TimeSpan.FromMilliseconds(1),
            CircuitBreakerFailures = failures,
            CircuitBreakDuration = TimeSpan.FromMinutes(5),
        }),
        NullLogger<EngineResilience>.Instance);

    private static EngineResult Failure(string code, bool transient) => new(new EngineError(code, code, transient));

    [Fact]
    public async Task TransientFailures_AreRetried_ProgramErrorsAreNot()
    {
        using var resilience = Create(failures: 100);
        var calls = 0;
        var result = await resilience.For("t").ExecuteAsync(_ => ValueTask.FromResult(++calls < 3 ? Failure(EngineErrorCodes.Network, true) : EngineResult.Success), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded);
        Assert.Equal(3, calls);

        calls = 0;
        result = await resilience.For("t").ExecuteAsync(_ => { calls++; return ValueTask.FromResult(Failure(EngineErrorCodes.Program, false)); }, TestContext.Current.CancellationToken);
        Assert.Equal(EngineErrorCodes.Program, result.Error!.Code);
        Assert.Equal(1, calls);
    }

    [Fact]
    public async Task RepeatedEngineTrouble_OpensTheCircuitOfThatTargetOnly()
    {
        using var resilience = Create(failures: 2);
        for (var i = 0; i < 2; i++)
        {
            await resilience.For("eu").ExecuteAsync(_ => ValueTask.FromResult(Failure(EngineErrorCodes.Crashed, false)), TestContext.Current.CancellationToken);
        }

        await Assert.ThrowsAsync<BrokenCircuitException>(async () =>
            await resilience.For("eu").ExecuteAsync(_ => ValueTask.FromResult(EngineResult.Success), TestContext.Current.CancellationToken));
        var other = await resilience.For("us").ExecuteAsync(_ => ValueTask.FromResult(EngineResult.Success), TestContext.Current.CancellationToken);
        Assert.True(other.Succeeded);
    }

    [Fact]
    public async Task ProgramErrors_NeverOpenTheCircuit()
    {
        using var resilience = Create(failures: 2);
        for (var i = 0; i < 5; i++)
        {
            await resilience.For("eu").ExecuteAsync(_ => ValueTask.FromResult(Failure(EngineErrorCodes.Program, false)), TestContext.Current.CancellationToken);
        }

        var result = await resilience.For("eu").ExecuteAsync(_ => ValueTask.FromResult(EngineResult.Success), TestContext.Current.CancellationToken);
        Assert.True(result.Succeeded);
    }
}
