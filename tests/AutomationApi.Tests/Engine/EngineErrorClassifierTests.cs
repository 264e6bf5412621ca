using Platform.AutomationApi.Engine;

namespace Platform.AutomationApi.Tests.Engine;

public sealed class EngineErrorClassifierTests
{
    private const string LocalLock =
        "error: the stack is currently locked by 1 lock(s). Either wait for the other process(es) to end or delete the lock file with `pulumi cancel`.\n" +
        "  file:///data/backend/.pulumi/locks/organization/shop/shop-dev/abc.json: created by app@build-7 (pid 4242) at 2026-11-25T20:00:00Z\n";

    [Fact]
    public void Success_IsNoError() => Assert.Null(EngineErrorClassifier.Classify(0, "anything"));

    [Theory]
    [InlineData(1, "error: something went wrong", EngineErrorCodes.Generic)]
    [InlineData(1, "error: Program failed with an unhandled exception", EngineErrorCodes.Program)]
    [InlineData(2, "error: invalid config", EngineErrorCodes.Configuration)]
    [InlineData(3, "error: unauthorized", EngineErrorCodes.Authentication)]
    [InlineData(4, "error: update failed", EngineErrorCodes.Resource)]
    [InlineData(5, "error: policy violation", EngineErrorCodes.Policy)]
    [InlineData(6, "error: no stack named 'x' found", EngineErrorCodes.StackNotFound)]
    [InlineData(8, "error: update canceled", EngineErrorCodes.Cancelled)]
    [InlineData(9, "error: timed out", EngineErrorCodes.Timeout)]
    [InlineData(255, "error: no stack named 'x' found", EngineErrorCodes.StackNotFound)]
    [InlineData(255, "error: update failed", EngineErrorCodes.Resource)]
    [InlineData(255, "error: something", EngineErrorCodes.Generic)]
    [InlineData(137, "", EngineErrorCodes.Crashed)]
    [InlineData(2, "panic: runtime error: index out of range\ngoroutine 1 [running]:", EngineErrorCodes.Crashed)]
    public void ExitCodesAndMessages_MapToCodes_NoneTransient(int exitCode, string output, string code)
    {
        var error = EngineErrorClassifier.Classify(exitCode, output)!;
        Assert.Equal(code, error.Code);
        Assert.False(error.Transient);
    }

    [Theory]
    [InlineData("error: could not install plugin kubernetes-4.34.2: error downloading plugin", EngineErrorCodes.Plugin)]
    [InlineData("error: failed to load plugin aws", EngineErrorCodes.Plugin)]
    [InlineData("error: Get \"https://api.pulumi.com\": dial tcp: lookup api.pulumi.com: no such host", EngineErrorCodes.Network)]
    [InlineData("error: read tcp: connection reset by peer", EngineErrorCodes.Network)]
    public void PluginAndNetworkFailures_AreTransient(string output, string code)
    {
        var error = EngineErrorClassifier.Classify(255, output)!;
        Assert.Equal(code, error.Code);
        Assert.True(error.Transient);
    }

    [Fact]
    public void LockedStack_IsLockedWithItsHolder()
    {
        var error = EngineErrorClassifier.Classify(255, LocalLock)!;
        Assert.Equal(EngineErrorCodes.Locked, error.Code);
        Assert.False(error.Transient);
        Assert.Equal(new StackLock("app", "build-7", 4242), error.Lock);
    }

    [Fact]
    public void CloudConflict_IsLocked()
    {
        var error = EngineErrorClassifier.Classify(255, "error: [409] Conflict: Another update is currently in progress.")!;
        Assert.Equal(EngineErrorCodes.Locked, error.Code);
        Assert.Null(error.Lock);
    }

    [Fact]
    public void Lock_IsStaleOnlyOnThisHostWithADeadProcess()
    {
        var host = System.Net.Dns.GetHostName();
        Assert.True(EngineErrorClassifier.IsStale(new StackLock("u", host, 4242), _ => false));
        Assert.False(EngineErrorClassifier.IsStale(new StackLock("u", host, 4242), _ => true));
        Assert.False(EngineErrorClassifier.IsStale(new StackLock("u", "another-host", 4242), _ => false));
        Assert.False(EngineErrorClassifier.IsStale(null, _ => false));
    }

    [Fact]
    public void ProcessExists_SeesThisProcessAndNotAnImpossiblePid()
    {
        Assert.True(EngineErrorClassifier.ProcessExists(Environment.ProcessId));
        Assert.False(EngineErrorClassifier.ProcessExists(99_999_999));
    }
}
