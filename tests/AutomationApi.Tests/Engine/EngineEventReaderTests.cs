using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Engine;

public sealed class EngineEventReaderTests
{
    [Fact]
    public void Parse_MapsEngineEventsToProgress()
    {
        var step = EngineEventReader.Parse("""{"sequence":2,"timestamp":1,"resourcePreEvent":{"metadata":{"op":"create","urn":"urn:pulumi:s::p::kubernetes:core/v1:Namespace::n","type":"kubernetes:core/v1:Namespace"},"planning":false}}""");
        Assert.Equal(new EngineEvent("step", "create kubernetes:core/v1:Namespace", "urn:pulumi:s::p::kubernetes:core/v1:Namespace::n", "create"), step);

        var diagnostic = EngineEventReader.Parse("""{"sequence":3,"timestamp":1,"diagnosticEvent":{"message":"boom\n","severity":"error","urn":"u"}}""");
        Assert.Equal(new EngineEvent("diagnostic", "boom", "u", "error"), diagnostic);

        var summary = EngineEventReader.Parse("""{"sequence":4,"timestamp":1,"summaryEvent":{"resourceChanges":{"create":2,"same":1}}}""")!;
        Assert.Equal("summary", summary.Type);
        Assert.Equal(new Dictionary<string, int> { ["create"] = 2, ["same"] = 1 }, EngineEventReader.Changes(summary));

        Assert.Null(EngineEventReader.Parse("""{"sequence":1,"timestamp":1,"preludeEvent":{"config":{"k":"v"}}}"""));
        Assert.Null(EngineEventReader.Parse("""{"sequence":9,"timestamp":1,"cancelEvent":{}}"""));
        Assert.Null(EngineEventReader.Parse("{not json"));
        Assert.Null(EngineEventReader.Parse(""));
    }

    private static string StepLine(string kind, string op, string urn, string type, string planning = "") =>
        "{\"sequence\":5,\"timestamp\":1,\"" + kind + "\":{\"metadata\":{\"op\":\"" + op + "\",\"urn\":\"" + urn + "\",\"type\":\"" + type + "\"}" + planning + "}}";

    private const string Deployment = "urn:pulumi:s::p::kubernetes:apps/v1:Deployment::api";

    [Fact]
    public void APreviewsPlannedSteps_AreNeitherInFlightNorAppliedChanges()
    {
        // previewActions.OnResourceStepPre/Post (pkg/engine/update.go, pulumi/pulumi) report every planned step as
        // started and finished with planning: true; an update's events leave "planning" out (omitempty).
        var log = new EngineLog();
        foreach (var kind in new[] { "resourcePreEvent", "resOutputsEvent" })
        {
            var planned = EngineEventReader.Parse(StepLine(kind, "create", Deployment, "kubernetes:apps/v1:Deployment", ",\"planning\":true"))!;
            Assert.True(planned.Planned);
            log.Observe(planned);
            Assert.Empty(log.InFlight);
        }

        Assert.Equal(0, log.AppliedChanges);

        var started = EngineEventReader.Parse(StepLine("resourcePreEvent", "create", Deployment, "kubernetes:apps/v1:Deployment"))!;
        Assert.False(started.Planned);
        log.Observe(started);
        Assert.Equal("create", log.InFlight[Deployment]);
        log.Observe(EngineEventReader.Parse(StepLine("resOutputsEvent", "create", Deployment, "kubernetes:apps/v1:Deployment"))!);
        Assert.Empty(log.InFlight);
        Assert.Equal(1, log.AppliedChanges);
    }

    [Theory]
    [InlineData("create", true)]
    [InlineData("update", true)]
    [InlineData("delete", true)]
    [InlineData("replace", true)]
    [InlineData("create-replacement", true)]
    [InlineData("delete-replaced", true)]
    [InlineData("import", true)]
    [InlineData("same", false)]
    [InlineData("read", false)]
    [InlineData("read-replacement", false)]
    [InlineData("refresh", false)]
    [InlineData("discard", false)]
    [InlineData("discard-replaced", false)]
    [InlineData("diff", false)]
    public void OnlyStepsThatChangeAResource_CountAsAppliedChanges(string op, bool changes)
    {
        // The step operations of display.StepOp (pkg/resource/deploy/step.go, pulumi/pulumi).
        var log = new EngineLog();
        log.Observe(EngineEventReader.Parse(StepLine("resOutputsEvent", op, Deployment, "kubernetes:apps/v1:Deployment"))!);
        Assert.Equal(changes ? 1 : 0, log.AppliedChanges);
    }

    [Theory]
    [InlineData("create", "urn:pulumi:s::p::pulumi:providers:kubernetes::default_4_18_0", "pulumi:providers:kubernetes")]
    [InlineData("create", "urn:pulumi:s::p::pulumi:providers:random::default", "pulumi:providers:random")]
    [InlineData("remove-pending-replace", Deployment, "kubernetes:apps/v1:Deployment")]
    [InlineData("extend-parameterize", "urn:pulumi:s::p::pulumi:providers:terraform-provider::tf", "pulumi:providers:terraform-provider")]
    public void TheEnginesInternalSteps_AreNotProgress(string op, string urn, string type)
    {
        // isInternalStep (pkg/engine/update.go) and IsDefaultProvider (sdk/go/common/providers/reference.go): the
        // event log has them, the engine neither shows nor counts them.
        Assert.Null(EngineEventReader.Parse(StepLine("resourcePreEvent", op, urn, type)));
        Assert.Null(EngineEventReader.Parse(StepLine("resOutputsEvent", op, urn, type)));

        // A failure is still one: it says why the update failed.
        Assert.Equal("step-failed", EngineEventReader.Parse(StepLine("resOpFailedEvent", op, urn, type))!.Type);
    }

    [Fact]
    public void AProviderThePlanDeclares_IsProgress()
    {
        var urn = "urn:pulumi:s::p::pulumi:providers:aws::aws-provider";
        Assert.Equal("step", EngineEventReader.Parse(StepLine("resourcePreEvent", "create", urn, "pulumi:providers:aws"))!.Type);
        var log = new EngineLog();
        log.Observe(EngineEventReader.Parse(StepLine("resOutputsEvent", "create", urn, "pulumi:providers:aws"))!);
        Assert.Equal(1, log.AppliedChanges);
    }

    [Fact]
    public async Task Tail_FollowsAFileAsItIsWritten_IncludingAPartialLastLine()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tail-{Guid.NewGuid():N}.jsonl");
        var lines = new List<string>();
        string[] Seen() { lock (lines) { return [.. lines]; } }
        using var stop = new CancellationTokenSource();
        var tail = EngineEventReader.TailAsync(file, line => { lock (lines) { lines.Add(line); } return ValueTask.CompletedTask; }, TimeSpan.FromMilliseconds(20), stop.Token);

        // Waits on what the tail has handed over, not on a fixed delay (a busy machine may take longer than any):
        // a partial line would show up as an extra or a broken line once the next complete one arrives.
        await File.WriteAllTextAsync(file, "one\ntw", TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Seen().Length >= 1, "The tail handed over nothing.");
        await File.AppendAllTextAsync(file, "o\nthree", TestContext.Current.CancellationToken);
        await Eventually.TrueAsync(() => Seen().Length >= 2, "The tail handed over nothing new.");
        Assert.Equal(["one", "two"], Seen());

        await stop.CancelAsync();
        await tail;
        Assert.Equal(["one", "two", "three"], Seen());
        File.Delete(file);
    }

    [Fact]
    public void Redactor_MasksEveryKnownSecret_LongestFirst()
    {
        var redactor = new SecretRedactor(["abc", "abcdef", ""]);
        Assert.Equal("x [secret] y [secret]", redactor.Redact("x abcdef y abc"));
        Assert.Null(redactor.Redact(null));
    }
}
