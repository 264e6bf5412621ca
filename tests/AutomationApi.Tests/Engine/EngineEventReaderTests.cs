using Platform.AutomationApi.Engine;

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

    [Fact]
    public async Task Tail_FollowsAFileAsItIsWritten_IncludingAPartialLastLine()
    {
        var file = Path.Combine(Path.GetTempPath(), $"tail-{Guid.NewGuid():N}.jsonl");
        var lines = new List<string>();
        using var stop = new CancellationTokenSource();
        var tail = EngineEventReader.TailAsync(file, line => { lines.Add(line); return ValueTask.CompletedTask; }, TimeSpan.FromMilliseconds(20), stop.Token);

        await File.WriteAllTextAsync(file, "one\ntw", TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(["one"], lines);
        await File.AppendAllTextAsync(file, "o\nthree", TestContext.Current.CancellationToken);
        await Task.Delay(200, TestContext.Current.CancellationToken);
        Assert.Equal(["one", "two"], lines);

        await stop.CancelAsync();
        await tail;
        Assert.Equal(["one", "two", "three"], lines);
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
