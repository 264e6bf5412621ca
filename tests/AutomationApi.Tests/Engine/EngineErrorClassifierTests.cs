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
    [InlineData(1, "================================================================================\nThe Pulumi CLI encountered a fatal error. This is a bug!\nPanic:            runtime error: index out of range\n\ngoroutine 1 [running]:", EngineErrorCodes.Crashed)]
    public void ExitCodesAndMessages_MapToCodes_NoneTransient(int exitCode, string output, string code)
    {
        var error = EngineErrorClassifier.Classify(exitCode, output)!;
        Assert.Equal(code, error.Code);
        Assert.False(error.Transient);
    }

    [Theory]
    [InlineData("error: Could not automatically download and install resource plugin 'pulumi-resource-aws' at version v7.48.0, install the plugin using `pulumi plugin install resource aws v7.48.0`: error downloading provider aws to file: 403 HTTP error fetching plugin", EngineErrorCodes.Plugin)]
    [InlineData("warning: error downloading provider: 502 HTTP error fetching plugin\nWill retry in 80ms [1/5]\nerror: Could not automatically download and install resource plugin 'pulumi-resource-aws' at version v7.48.0, install the plugin using `pulumi plugin install resource aws v7.48.0`: error downloading provider aws to file: 502 HTTP error fetching plugin", EngineErrorCodes.Plugin)]
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

    /// <summary>
    /// A download that failed once and was retried warns with the failure's words (the retry callback of
    /// downloadPlugin, pkg/workspace/plugin.go in pulumi/pulumi). When the retry succeeded and the update failed
    /// for another reason, that reason decides: retrying a failed resource as if a plugin were missing repeats it.
    /// </summary>
    [Theory]
    [InlineData("warning: error downloading provider: 502 HTTP error fetching plugin\nWill retry in 80ms [1/5]")]
    [InlineData("warning: error downloading provider: Get \"https://get.pulumi.com/releases/plugins/pulumi-resource-aws-v7.48.0-linux-amd64.tar.gz\": dial tcp: i/o timeout\n    Will retry in 160ms [2/5]")]
    [InlineData("warning: error downloading provider: 2 errors occurred:\n\t* read tcp: connection reset by peer\n\t* 502 Bad Gateway\n\nWill retry in 320ms [3/5]")]
    public void ARetriedDownload_ThatSucceeded_DoesNotHideTheRealFailure(string retryWarning)
    {
        const string db = "urn:pulumi:shop-dev::platform-shop-dev::aws:rds/instance:Instance::orders-db";
        var log = new EngineLog();
        log.Observe(EngineEventReader.Parse($$$"""{"sequence":5,"timestamp":1,"diagnosticEvent":{"urn":"{{{db}}}","prefix":"error: ","message":"creating RDS DB Instance: InvalidParameterCombination\n","color":"never","severity":"error"}}""")!);
        log.Observe(EngineEventReader.Parse($$$"""{"sequence":6,"timestamp":1,"resOpFailedEvent":{"metadata":{"op":"create","urn":"{{{db}}}","type":"aws:rds/instance:Instance"},"status":1,"steps":1}}""")!);

        var error = EngineErrorClassifier.Classify(1, retryWarning + "\nerror: update failed", log)!;

        Assert.Equal(EngineErrorCodes.Resource, error.Code);
        Assert.False(error.Transient);
        Assert.Equal(EngineErrorCodes.Generic, EngineErrorClassifier.Classify(1, retryWarning + "\nerror: something else")!.Code);
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
    public void LockedStack_NamesEveryLock()
    {
        var twoLocks = LocalLock.Replace("by 1 lock(s)", "by 2 lock(s)", StringComparison.Ordinal) +
                       "  file:///data/backend/.pulumi/locks/organization/shop/shop-dev/def.json: created by app@build-7 (pid 5151) at 2026-11-25T20:00:01Z\n";
        var error = EngineErrorClassifier.Classify(255, twoLocks)!;
        Assert.Equal([new StackLock("app", "build-7", 4242), new StackLock("app", "build-7", 5151)], error.Locks);

        // pulumi cancel deletes both: clearing is safe only when both holders are gone.
        var host = System.Net.Dns.GetHostName();
        StackLock[] mixed = [new StackLock("u", host, 4242), new StackLock("u", host, 5151)];
        Assert.False(EngineErrorClassifier.AllStale(mixed, pid => pid == 5151));
        Assert.True(EngineErrorClassifier.AllStale(mixed, _ => false));
        Assert.False(EngineErrorClassifier.AllStale([], _ => false));
    }

    [Fact]
    public void TheEnginesExplanation_IsKept_NotOnlyItsErrorLine()
    {
        const string output = "error: resource \"urn:pulumi:p::platform-p::aws:rds/instance:Instance::orders-db\" cannot be deleted\n" +
                              "because it is protected. To unprotect the resource, either remove the `protect` flag from the resource in your Pulumi program and run `pulumi up`, or use the command:\n" +
                              "`pulumi state unprotect 'urn:pulumi:p::platform-p::aws:rds/instance:Instance::orders-db'`\n";
        var error = EngineErrorClassifier.Classify(1, output)!;
        Assert.Contains("because it is protected", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ExitOne_IsClassifiedFromTheEventLog()
    {
        const string db = "urn:pulumi:p::platform-p::aws:rds/instance:Instance::orders-db";
        var resource = new EngineLog();
        resource.Observe(EngineEventReader.Parse($$$"""{"sequence":5,"timestamp":1,"diagnosticEvent":{"urn":"{{{db}}}","prefix":"<{%fg 1%}>error: <{%reset%}>","message":"<{%reset%}>creating RDS DB Instance: InvalidParameterCombination: engine version 16 not available<{%reset%}>\n","color":"raw","severity":"error"}}""")!);
        resource.Observe(EngineEventReader.Parse($$$"""{"sequence":6,"timestamp":1,"resOpFailedEvent":{"metadata":{"op":"create","urn":"{{{db}}}","type":"aws:rds/instance:Instance"},"status":1,"steps":1}}""")!);
        var failed = EngineErrorClassifier.Classify(1, "error: update failed", resource)!;
        Assert.Equal(EngineErrorCodes.Resource, failed.Code);
        Assert.Equal("Resource 'orders-db' (aws:rds/instance:Instance) failed to create: creating RDS DB Instance: InvalidParameterCombination: engine version 16 not available.", failed.Message);

        var policy = new EngineLog();
        policy.Observe(EngineEventReader.Parse($$$"""{"sequence":3,"timestamp":1,"policyEvent":{"resourceUrn":"{{{db}}}","message":"Databases must be encrypted.","color":"raw","policyName":"encrypted-storage","policyPackName":"guardrails","policyPackVersion":"1","policyPackVersionTag":"1","enforcementLevel":"mandatory"}}""")!);
        policy.Observe(EngineEventReader.Parse($$$"""{"sequence":4,"timestamp":1,"policyEvent":{"resourceUrn":"{{{db}}}","message":"Consider tags.","color":"raw","policyName":"tags","policyPackName":"guardrails","policyPackVersion":"1","policyPackVersionTag":"1","enforcementLevel":"advisory"}}""")!);
        var violation = EngineErrorClassifier.Classify(1, "error: update failed", policy)!;
        Assert.Equal(EngineErrorCodes.Policy, violation.Code);
        Assert.Equal("Policy 'encrypted-storage' of pack 'guardrails' rejected 'orders-db' (aws:rds/instance:Instance): Databases must be encrypted.", violation.Message);

        var program = new EngineLog();
        program.Observe(EngineEventReader.Parse("""{"sequence":2,"timestamp":1,"diagnosticEvent":{"message":"Error: Missing required property\n\n  on Pulumi.yaml line 31:\n  31:     properties:\n\nProperty dbName is required\n","color":"raw","severity":"info#err"}}""")!);
        var broken = EngineErrorClassifier.Classify(1, "", program)!;
        Assert.Equal(EngineErrorCodes.Program, broken.Code);
        Assert.Equal("The program failed at Pulumi.yaml line 31: Missing required property", broken.Message);

        Assert.Equal(EngineErrorCodes.Generic, EngineErrorClassifier.Classify(1, "error: something else", new EngineLog())!.Code);
    }

    /// <summary>
    /// The shape the real CLI logs a Pulumi YAML program error in: pulumi-yaml writes HCL diagnostics in colour
    /// (pkg/server/server.go, pulumi/pulumi-yaml; hashicorp/hcl diagnostic_text.go) and the CLI logs each non-blank
    /// line of the host's standard error as its own info#err event with no URN (runtrace, pkg/resource/plugin/plugin.go,
    /// pulumi/pulumi). A warning before the error has a place of its own, which is not the error's.
    /// </summary>
    [Fact]
    public void AProgramError_LoggedALinePerEventInColour_IsFoundWithItsPlace()
    {
        string[] lines =
        [
            @"\u001b[33mWarning\u001b[0m: unused variable",
            "  on Pulumi.yaml line 3:",
            @"   3:   \u001b[1;4mspare\u001b[0m: 1",
            @"\u001b[31mError\u001b[0m: Missing required property",
            "  on Pulumi.yaml line 31:",
            @"  31:     \u001b[1;4mproperties\u001b[0m:",
            "Property dbName is required",
        ];
        var log = new EngineLog();
        var sequence = 0;
        foreach (var line in lines)
        {
            log.Observe(EngineEventReader.Parse($$$"""{"sequence":{{{sequence++}}},"timestamp":1,"diagnosticEvent":{"prefix":"","message":"{{{line}}}\n","color":"never","severity":"info#err"}}""")!);
        }

        var broken = EngineErrorClassifier.Classify(1, "", log)!;
        Assert.Equal(EngineErrorCodes.Program, broken.Code);
        Assert.Equal("The program failed at Pulumi.yaml line 31: Missing required property", broken.Message);
        Assert.DoesNotContain('\u001b', log.Text);

        // A template that does not load: the engine adds its own error, with no place (program_source.go, pulumi/pulumi).
        var unplaced = new EngineLog();
        unplaced.Observe(EngineEventReader.Parse("""{"sequence":0,"timestamp":1,"diagnosticEvent":{"prefix":"","message":"\u001b[31mError\u001b[0m: duplicate key \"api\"\n","color":"never","severity":"info#err"}}""")!);
        unplaced.Observe(EngineEventReader.Parse("""{"sequence":1,"timestamp":1,"diagnosticEvent":{"prefix":"error: ","message":"an unhandled error occurred: failed to load template\n","color":"never","severity":"error"}}""")!);
        Assert.Equal("The program failed: duplicate key \"api\"", EngineErrorClassifier.Classify(1, "", unplaced)!.Message);
    }

    [Fact]
    public void TheLog_CountsAppliedChangesAndInFlightOperations()
    {
        var log = new EngineLog();
        log.Observe(new EngineEvent("step", null, "urn:a", "create"));
        log.Observe(new EngineEvent("step-done", null, "urn:a", "create"));
        log.Observe(new EngineEvent("step", null, "urn:b", "same"));
        log.Observe(new EngineEvent("step-done", null, "urn:b", "same"));
        log.Observe(new EngineEvent("step", null, "urn:c", "update"));
        Assert.Equal(1, log.AppliedChanges);
        Assert.Equal(new Dictionary<string, string> { ["urn:c"] = "update" }, log.InFlight);
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
    public void Lock_UnderATakenOverLease_IsStaleOnAnotherHost_ButNotWhenALiveProcessHereHoldsIt()
    {
        var host = System.Net.Dns.GetHostName();
        Assert.True(EngineErrorClassifier.IsStale(new StackLock("u", "replica-a.internal", 4242), _ => true, StaleLockRule.Lease));
        Assert.True(EngineErrorClassifier.IsStale(new StackLock("u", host, 4242), _ => false, StaleLockRule.Lease));
        Assert.False(EngineErrorClassifier.IsStale(new StackLock("u", host, 4242), _ => true, StaleLockRule.Lease));
        Assert.False(EngineErrorClassifier.IsStale(null, _ => false, StaleLockRule.Lease));

        // `pulumi cancel` removes every lock: one live lock here keeps them all.
        StackLock[] locks = [new("u", "replica-a.internal", 7), new("u", host, 8)];
        Assert.True(EngineErrorClassifier.AllStale(locks, _ => false, StaleLockRule.Lease));
        Assert.False(EngineErrorClassifier.AllStale(locks, pid => pid == 8, StaleLockRule.Lease));
        Assert.False(EngineErrorClassifier.AllStale(locks, _ => false, StaleLockRule.DeadProcess));
    }

    [Fact]
    public void ProcessExists_SeesThisProcessAndNotAnImpossiblePid()
    {
        Assert.True(EngineErrorClassifier.ProcessExists(Environment.ProcessId));
        Assert.False(EngineErrorClassifier.ProcessExists(99_999_999));
    }
}
