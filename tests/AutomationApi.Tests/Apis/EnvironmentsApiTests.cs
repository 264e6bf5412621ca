using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

public sealed class EnvironmentsApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Lifecycle_CreateUpdateDestroy_DrivesTheEngineAndKeepsTheRecord(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database);
        var client = factory.CreateClient();

        using var created = await factory.PostSpecAsync(Specs.Dev("shop-dev"));
        Assert.Equal(HttpStatusCode.Accepted, created.StatusCode);
        var operation = await PlatformFactory.ReadAsync(created);
        Assert.Equal($"/v1/operations/{operation["id"]}", created.Headers.Location!.OriginalString);
        Assert.Equal("create", (string)operation["kind"]!);

        var done = await factory.WaitForOperationAsync((string)operation["id"]!);
        Assert.Equal("succeeded", (string)done["state"]!);
        var environment = await factory.GetEnvironmentAsync("shop-dev");
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("https://shop-dev.apps.example.internal", (string)environment["outputs"]!["url"]!);
        Assert.Equal("[secret]", (string)environment["outputs"]!["dbPassword"]!);
        Assert.True((bool)environment["spec"]!["spec"]!["services"]![0]!["env"]!["DB_PASSWORD"]!["secret"]!["unchanged"]!);
        Assert.True((int)environment["plan"]!["resources"]! > 0);
        var createdAt = (DateTimeOffset)environment["createdAt"]!;
        Assert.Equal(createdAt + TimeSpan.FromDays(3), (DateTimeOffset)environment["expiresAt"]!);

        // The protocol: stack selected with the passphrase provider, every command non-interactive on its stack.
        var calls = factory.Fake.Calls;
        Assert.Contains(calls, c => c.StartsWith("stack select shop-dev --create --secrets-provider passphrase --non-interactive --cwd ", StringComparison.Ordinal));
        var up = Assert.Single(factory.Fake.CallsOf("up"));
        Assert.StartsWith("up --yes --skip-preview --event-log ", up, StringComparison.Ordinal);
        Assert.Contains("--stack shop-dev --non-interactive --cwd ", up, StringComparison.Ordinal);
        var workspace = Path.Combine(factory.DataDirectory, "workspaces", "shop-dev");
        Assert.Contains("kubernetes:apps/v1:Deployment", await File.ReadAllTextAsync(Path.Combine(workspace, "Pulumi.yaml"), Cancel), StringComparison.Ordinal);
        foreach (var file in Directory.GetFiles(workspace))
        {
            Assert.DoesNotContain(Specs.Secret, await File.ReadAllTextAsync(file, Cancel), StringComparison.Ordinal);
        }

        // Update: a new image.
        using var update = new HttpRequestMessage(HttpMethod.Put, "/v1/environments/shop-dev")
        {
            Content = new StringContent(Specs.Dev("shop-dev", image: "registry.example.com/payments/api:2.0.0"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var updated = await client.SendAsync(update, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, updated.StatusCode);
        var updateOperation = await PlatformFactory.ReadAsync(updated);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)updateOperation["id"]!))["state"]!);
        environment = await factory.GetEnvironmentAsync("shop-dev");
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("registry.example.com/payments/api:2.0.0", (string)environment["spec"]!["spec"]!["services"]![0]!["image"]!);
        Assert.Equal((string)updateOperation["id"]!, (string)environment["lastOperation"]!["id"]!);

        // Destroy: the record and its history stay.
        using var destroyed = await client.DeleteAsync("/v1/environments/shop-dev", Cancel);
        Assert.Equal(HttpStatusCode.Accepted, destroyed.StatusCode);
        var destroyOperation = await PlatformFactory.ReadAsync(destroyed);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)destroyOperation["id"]!))["state"]!);
        environment = await factory.GetEnvironmentAsync("shop-dev");
        Assert.Equal("destroyed", (string)environment["status"]!);
        Assert.NotNull(environment["destroyedAt"]);
        Assert.Single(factory.Fake.CallsOf("destroy"));
        using var history = await client.GetAsync($"/v1/operations/{operation["id"]}", Cancel);
        Assert.Equal(HttpStatusCode.OK, history.StatusCode);

        // The name is free again.
        var again = await factory.CreateAndWaitAsync(Specs.Dev("shop-dev"));
        Assert.Equal("succeeded", (string)again["state"]!);
    }

    [Fact]
    public async Task Create_AcceptsJsonAsWellAsYaml()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var response = await factory.PostSpecAsync(Specs.DevJson("json-dev"), "application/json");
        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var operation = await PlatformFactory.ReadAsync(response);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)operation["id"]!))["state"]!);
    }

    [Fact]
    public async Task Create_TheExampleSpec_DeploysKubernetesAndAwsResources()
    {
        var targets = Path.Combine(Path.GetTempPath(), $"targets-{Guid.NewGuid():N}.yaml");
        await File.WriteAllTextAsync(targets, Specs.CompleteTargets, Cancel);
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine(), configure: s => s["Platform:TargetsFile"] = targets);
        var spec = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"), Cancel);

        var operation = await factory.CreateAndWaitAsync(spec);

        Assert.Equal("succeeded", (string)operation["state"]!);
        var environment = await factory.GetEnvironmentAsync("checkout-staging");
        Assert.Equal("staging", (string)environment["tier"]!);
        var types = environment["plan"]!["byType"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("aws:rds/instance:Instance", types);
        Assert.Contains("kubernetes:apps/v1:Deployment", types);
        Assert.True((decimal)environment["costEstimate"]!["monthlyTotal"]! > 0m);
        Assert.Contains("estimate", (string)environment["costEstimate"]!["label"]!, StringComparison.Ordinal);
        var createdAt = (DateTimeOffset)environment["createdAt"]!;
        Assert.Equal(createdAt + TimeSpan.FromHours(72), (DateTimeOffset)environment["expiresAt"]!);
    }

    [Fact]
    public async Task Create_OnATargetMissingSettingsTheProgramNeeds_Is400NamingThem()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var spec = await File.ReadAllTextAsync(Path.Combine(AppContext.BaseDirectory, "examples", "checkout-staging.yaml"), Cancel);

        using var response = await factory.PostSpecAsync(spec);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var message = (string)(await PlatformFactory.ReadAsync(response))["errors"]!["spec.target"]![0]!;
        Assert.Contains("vpcId", message, StringComparison.Ordinal);
        Assert.Empty(factory.Memory.Calls);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task Create_NameOfALiveEnvironment_Is409Problem(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        using var first = await factory.PostSpecAsync(Specs.Dev("taken-dev"));
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);

        using var second = await factory.PostSpecAsync(Specs.Dev("taken-dev", team: "other"));
        Assert.Equal(HttpStatusCode.Conflict, second.StatusCode);
        Assert.Equal("application/problem+json", second.Content.Headers.ContentType!.MediaType);
        var problem = await PlatformFactory.ReadAsync(second);
        Assert.Equal(409, (int)problem["status"]!);
        Assert.Contains("taken-dev", (string)problem["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Create_InvalidSpec_Is400WithEveryErrorByPath()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var spec = Specs.Dev("bad-dev").Replace("type: web", "type: webb", StringComparison.Ordinal)
            .Replace("tier: dev", "tier: dev\n  colour: blue", StringComparison.Ordinal);
        using var response = await factory.PostSpecAsync(spec);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        var problem = await PlatformFactory.ReadAsync(response);
        var errors = problem["errors"]!.AsObject();
        Assert.Contains(errors, e => e.Key.Contains("services[0].type", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Key.Contains("colour", StringComparison.Ordinal));
        Assert.Empty(factory.Memory.Calls);
    }

    [Fact]
    public async Task Create_GuardrailViolation_Is400NamingTheField()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var response = await factory.PostSpecAsync(Specs.Dev("long-dev", ttl: "30d"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = await PlatformFactory.ReadAsync(response);
        Assert.True(problem["errors"]!.AsObject().ContainsKey("spec.ttl"), problem.ToJsonString());
    }

    [Fact]
    public async Task Create_UnsupportedMediaTypeOrEmptyBody_IsProblem()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        using var xml = await factory.PostSpecAsync("<spec/>", "application/xml");
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, xml.StatusCode);
        Assert.Equal("application/problem+json", xml.Content.Headers.ContentType!.MediaType);

        using var empty = await factory.PostSpecAsync("", "application/yaml");
        Assert.Equal(HttpStatusCode.BadRequest, empty.StatusCode);
        Assert.Equal("application/problem+json", empty.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task UnknownKindsAndStates_Are400Problems_NamingTheField_Never500()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();

        // A resource type no kind has: refused when read, before anything is planned.
        using var kind = await factory.PostSpecAsync(Specs.Dev("kinds-dev") + "\n  resources:\n    - { name: store, type: mongo }\n");
        Assert.Equal(HttpStatusCode.BadRequest, kind.StatusCode);
        Assert.Equal("application/problem+json", kind.Content.Headers.ContentType!.MediaType);
        Assert.True((await PlatformFactory.ReadAsync(kind))["errors"]!.AsObject().ContainsKey("spec.resources[0].type"));

        // A tier or status no enum member has, by name or by number.
        foreach (var (query, field) in new[] { ("tier=gold", "tier"), ("tier=7", "tier"), ("status=melting", "status"), ("status=42", "status") })
        {
            using var filter = await client.GetAsync($"/v1/environments?{query}", Cancel);
            Assert.Equal(HttpStatusCode.BadRequest, filter.StatusCode);
            var errors = (await PlatformFactory.ReadAsync(filter))["errors"]!.AsObject();
            Assert.True(errors.ContainsKey(field), query);
            if (field == "status")
            {
                // The statuses as responses spell them.
                Assert.Contains("needsRepair", (string)errors[field]![0]!, StringComparison.Ordinal);
            }
        }
    }

    [Fact]
    public async Task UnknownEnvironmentAndRoute_Are404Problems()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        using var environment = await client.GetAsync("/v1/environments/nope", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, environment.StatusCode);
        Assert.Equal("application/problem+json", environment.Content.Headers.ContentType!.MediaType);
        using var route = await client.GetAsync("/v1/nothing-here", Cancel);
        Assert.Equal(HttpStatusCode.NotFound, route.StatusCode);
        Assert.Equal("application/problem+json", route.Content.Headers.ContentType!.MediaType);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task IdempotencyKey_SameBodyReturnsTheOriginal_DifferentBodyIs422(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        using var first = await factory.PostSpecAsync(Specs.Dev("idem-dev"), idempotencyKey: "key-1");
        using var retry = await factory.PostSpecAsync(Specs.Dev("idem-dev"), idempotencyKey: "key-1");
        Assert.Equal(HttpStatusCode.Accepted, first.StatusCode);
        Assert.Equal(HttpStatusCode.Accepted, retry.StatusCode);
        var original = await PlatformFactory.ReadAsync(first);
        Assert.Equal((string)original["id"]!, (string)(await PlatformFactory.ReadAsync(retry))["id"]!);
        Assert.Equal(first.Headers.Location, retry.Headers.Location);

        using var different = await factory.PostSpecAsync(Specs.Dev("idem-dev", team: "other"), idempotencyKey: "key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, different.StatusCode);
        Assert.Equal("application/problem+json", different.Content.Headers.ContentType!.MediaType);

        await factory.WaitForOperationAsync((string)original["id"]!);
        Assert.Single(factory.Memory.CallsOf("up"));

        using var tooLong = await factory.PostSpecAsync(Specs.Dev("idem2-dev"), idempotencyKey: new string('k', 201));
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);

        var client = factory.CreateClient();
        using var delete1 = new HttpRequestMessage(HttpMethod.Delete, "/v1/environments/idem-dev") { Headers = { { "Idempotency-Key", "del-1" } } };
        using var delete2 = new HttpRequestMessage(HttpMethod.Delete, "/v1/environments/idem-dev") { Headers = { { "Idempotency-Key", "del-1" } } };
        var d1 = await PlatformFactory.ReadAsync(await client.SendAsync(delete1, Cancel));
        var d2 = await PlatformFactory.ReadAsync(await client.SendAsync(delete2, Cancel));
        Assert.Equal((string)d1["id"]!, (string)d2["id"]!);
    }

    [Theory]
    [InlineData(TestStore.Sqlite)]
    [InlineData(TestStore.Postgres)]
    public async Task List_PagesWithAnOpaqueCursorAndFilters(string store)
    {
        await using var database = await TestStore.CreateAsync(store);
        using var factory = new PlatformFactory(store: database, engine: new InMemoryStackEngine());
        var client = factory.CreateClient();
        // "pagea" sorts after every "page-" name in byte order, before "page-b" in a collation that ignores punctuation.
        foreach (var name in new[] { "pagea", "page-a", "page-b", "page-c", "page-d", "page-e" })
        {
            using var response = await factory.PostSpecAsync(Specs.Dev(name, team: name == "page-c" ? "search" : "payments"));
            Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        }

        var seen = new List<string>();
        string? cursor = null;
        var pages = 0;
        do
        {
            var url = "/v1/environments?limit=2" + (cursor is null ? "" : $"&cursor={Uri.EscapeDataString(cursor)}");
            var page = (await client.GetFromJsonAsync<JsonObject>(url, Cancel))!;
            seen.AddRange(page["items"]!.AsArray().Select(i => (string)i!["name"]!));
            cursor = (string?)page["nextCursor"];
            pages++;
        }
        while (cursor is not null);

        Assert.Equal(["page-a", "page-b", "page-c", "page-d", "page-e", "pagea"], seen);
        Assert.Equal(3, pages);

        var search = (await client.GetFromJsonAsync<JsonObject>("/v1/environments?team=search", Cancel))!;
        Assert.Equal("page-c", (string)Assert.Single(search["items"]!.AsArray())!["name"]!);
        var prod = (await client.GetFromJsonAsync<JsonObject>("/v1/environments?tier=prod", Cancel))!;
        Assert.Empty(prod["items"]!.AsArray());

        using var badCursor = await client.GetAsync("/v1/environments?cursor=not-a-cursor", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, badCursor.StatusCode);
        using var badTier = await client.GetAsync("/v1/environments?tier=gold", Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, badTier.StatusCode);
        Assert.Equal("application/problem+json", badTier.Content.Headers.ContentType!.MediaType);
    }

    [Fact]
    public async Task Extend_PushesExpiryWithinTheTierMaximum()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Specs.Dev("extend-dev"));
        var client = factory.CreateClient();

        using var ok = await client.PostAsJsonAsync("/v1/environments/extend-dev/extend", new { ttl = "7d" }, Cancel);
        Assert.Equal(HttpStatusCode.OK, ok.StatusCode);
        var environment = await PlatformFactory.ReadAsync(ok);
        var expiresAt = (DateTimeOffset)environment["expiresAt"]!;
        Assert.InRange(expiresAt - DateTimeOffset.UtcNow, TimeSpan.FromDays(6.9), TimeSpan.FromDays(7.1));

        using var tooLong = await client.PostAsJsonAsync("/v1/environments/extend-dev/extend", new { ttl = "15d" }, Cancel);
        Assert.Equal(HttpStatusCode.BadRequest, tooLong.StatusCode);
        Assert.True((await PlatformFactory.ReadAsync(tooLong))["errors"]!.AsObject().ContainsKey("ttl"));
    }

    [Fact]
    public async Task PreviewAndRefresh_RunTheEngineWithoutChangingTheEnvironment()
    {
        using var factory = new PlatformFactory();
        await factory.CreateAndWaitAsync(Specs.Dev("inspect-dev"));
        var client = factory.CreateClient();

        using var previewRequest = new HttpRequestMessage(HttpMethod.Post, "/v1/environments/inspect-dev/preview")
        {
            Content = new StringContent(Specs.Dev("inspect-dev", image: "registry.example.com/payments/api:3.0.0"), System.Text.Encoding.UTF8, "application/yaml"),
        };
        using var preview = await client.SendAsync(previewRequest, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, preview.StatusCode);
        var previewed = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(preview))["id"]!);
        Assert.Equal("succeeded", (string)previewed["state"]!);
        Assert.NotNull(previewed["result"]!["changes"]);
        Assert.NotEmpty(previewed["result"]!["planDiff"]!["changed"]!.AsArray());
        var costDelta = previewed["result"]!["costDelta"]!;
        Assert.Equal((decimal)costDelta["after"]! - (decimal)costDelta["before"]!, (decimal)costDelta["delta"]!);
        Assert.Equal((decimal)(await factory.GetEnvironmentAsync("inspect-dev"))["costEstimate"]!["monthlyTotal"]!, (decimal)costDelta["before"]!);
        Assert.StartsWith("preview --event-log ", Assert.Single(factory.Fake.CallsOf("preview")), StringComparison.Ordinal);

        using var refresh = await client.PostAsync("/v1/environments/inspect-dev/refresh", null, Cancel);
        Assert.Equal(HttpStatusCode.Accepted, refresh.StatusCode);
        var refreshed = await factory.WaitForOperationAsync((string)(await PlatformFactory.ReadAsync(refresh))["id"]!);
        Assert.Equal("succeeded", (string)refreshed["state"]!);
        Assert.StartsWith("refresh --yes --skip-preview --event-log ", Assert.Single(factory.Fake.CallsOf("refresh")), StringComparison.Ordinal);

        var environment = await factory.GetEnvironmentAsync("inspect-dev");
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("registry.example.com/payments/api:1.0.0", (string)environment["spec"]!["spec"]!["services"]![0]!["image"]!);
    }
}
