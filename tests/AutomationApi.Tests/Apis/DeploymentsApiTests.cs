using System.Net;
using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Tests.Engine;
using Platform.AutomationApi.Tests.Infrastructure;

namespace Platform.AutomationApi.Tests.Apis;

/// <summary>Deploy one service, promote images between environments, roll back to an earlier deployment.</summary>
public sealed class DeploymentsApiTests
{
    private static CancellationToken Cancel => TestContext.Current.CancellationToken;

    /// <summary>Two services, so a deploy of one can be seen to leave the other alone.</summary>
    internal static string Shop(string name, string tier = "dev", string apiImage = "registry.example.com/shop/api:1.0.0", string workerImage = "registry.example.com/shop/worker:2.0.0") => $$"""
        apiVersion: platform/v1
        kind: Environment
        metadata: { name: {{name}}, team: shop, costCenter: cc-7 }
        spec:
          tier: {{tier}}
          target: default
          services:
            - name: api
              type: web
              image: {{apiImage}}
              port: 8080
              env:
                LOG_LEVEL: info
                OLD_FLAG: "on"
                DB_PASSWORD: { secret: {{Specs.Secret}} }
            - name: worker
              type: worker
              image: {{workerImage}}
        """;

    private static async Task<(HttpResponseMessage Response, JsonObject Body)> PostAsync(PlatformFactory factory, string path, object body)
    {
        var response = await factory.CreateClient().PostAsJsonAsync(path, body, Cancel);
        return (response, await PlatformFactory.ReadAsync(response));
    }

    private static async Task<JsonObject> AcceptedAsync(PlatformFactory factory, string path, object body)
    {
        var (response, json) = await PostAsync(factory, path, body);
        using (response)
        {
            Assert.True(response.StatusCode == HttpStatusCode.Accepted, json.ToJsonString());
            Assert.Equal($"/v1/operations/{json["operation"]!["id"]}", response.Headers.Location!.OriginalString);
            return json;
        }
    }

    private static async Task<JsonObject> ProblemAsync(PlatformFactory factory, string path, object body, HttpStatusCode status)
    {
        var (response, json) = await PostAsync(factory, path, body);
        using (response)
        {
            Assert.True(response.StatusCode == status, $"{response.StatusCode}: {json.ToJsonString()}");
            Assert.StartsWith("application/problem+json", response.Content.Headers.ContentType!.ToString(), StringComparison.Ordinal);
            return json;
        }
    }

    private static string ImageOf(JsonObject environment, string service) =>
        (string)environment["spec"]!["spec"]!["services"]!.AsArray().Single(s => (string)s!["name"]! == service)!["image"]!;

    [Fact]
    public async Task Deploy_ChangesExactlyOneWorkload_InThePlanDiff_AndInTheEnginePreview()
    {
        using var factory = new PlatformFactory();
        Assert.Equal("succeeded", (string)(await factory.CreateAndWaitAsync(Shop("shop-dev")))["state"]!);
        factory.Fake.Behave("preview", "diff");

        var previewed = await AcceptedAsync(factory, "/v1/environments/shop-dev/services/api/deploy",
            new { image = "registry.example.com/shop/api:1.4.3", preview = true });

        Assert.Equal(["api-deployment (kubernetes:apps/v1:Deployment)"], previewed["planDiff"]!["changed"]!.AsArray().Select(c => (string)c!));
        Assert.Empty(previewed["planDiff"]!["added"]!.AsArray());
        Assert.Empty(previewed["planDiff"]!["removed"]!.AsArray());
        var preview = await factory.WaitForOperationAsync((string)previewed["operation"]!["id"]!);
        Assert.Equal("succeeded", (string)preview["state"]!);
        var steps = preview["result"]!["steps"]!.AsArray();
        var step = Assert.Single(steps);
        Assert.Equal("update", (string)step!["op"]!);
        Assert.EndsWith("::kubernetes:apps/v1:Deployment::api-deployment", (string)step["urn"]!, StringComparison.Ordinal);
        Assert.Equal(1, (int)preview["result"]!["changes"]!["update"]!);

        // The preview changed nothing; the deploy does, and only the api's image.
        Assert.Equal("registry.example.com/shop/api:1.0.0", ImageOf(await factory.GetEnvironmentAsync("shop-dev"), "api"));
        var deployed = await AcceptedAsync(factory, "/v1/environments/shop-dev/services/api/deploy", new { image = "registry.example.com/shop/api:1.4.3" });
        Assert.Equal("update", (string)deployed["operation"]!["kind"]!);
        Assert.Equal("deploy", (string)deployed["operation"]!["origin"]!);
        Assert.Equal("registry.example.com/shop/api:1.4.3", (string)deployed["images"]!["api"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)deployed["operation"]!["id"]!))["state"]!);

        var environment = await factory.GetEnvironmentAsync("shop-dev");
        Assert.Equal("ready", (string)environment["status"]!);
        Assert.Equal("registry.example.com/shop/api:1.4.3", ImageOf(environment, "api"));
        Assert.Equal("registry.example.com/shop/worker:2.0.0", ImageOf(environment, "worker"));
        Assert.DoesNotContain(Specs.Secret, environment.ToJsonString(), StringComparison.Ordinal);
        Assert.Contains(Specs.Secret, factory.Fake.SecretConfig("shop-dev"), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deploy_AppliesEnvChanges_ToThatServiceOnly()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Shop("env-dev"));

        var deployed = await AcceptedAsync(factory, "/v1/environments/env-dev/services/api/deploy", new
        {
            image = "registry.example.com/shop/api:1.1.0",
            env = new Dictionary<string, object?> { ["LOG_LEVEL"] = "debug", ["API_TOKEN"] = new { secret = "tok-very-secret" }, ["OLD_FLAG"] = null },
        });
        Assert.Equal(
            ["api-config (kubernetes:core/v1:ConfigMap)", "api-secret (kubernetes:core/v1:Secret)", "api-deployment (kubernetes:apps/v1:Deployment)"],
            deployed["planDiff"]!["changed"]!.AsArray().Select(c => (string)c!));
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)deployed["operation"]!["id"]!))["state"]!);

        var env = (await factory.GetEnvironmentAsync("env-dev"))["spec"]!["spec"]!["services"]![0]!["env"]!.AsObject();
        Assert.Equal("debug", (string)env["LOG_LEVEL"]!);
        Assert.False(env.ContainsKey("OLD_FLAG"));
        Assert.True((bool)env["API_TOKEN"]!["secret"]!["unchanged"]!);
        Assert.Contains("tok-very-secret", factory.Memory.Secrets("env-dev").Values);
    }

    [Fact]
    public async Task Deploy_RefusesAPlainValueForASecretVariable_AndChangesNothing()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Shop("plain-dev"));

        var problem = await ProblemAsync(factory, "/v1/environments/plain-dev/services/api/deploy", new
        {
            image = "registry.example.com/shop/api:1.1.0",
            env = new Dictionary<string, object?> { ["DB_PASSWORD"] = "now-in-plain-text", ["LOG_LEVEL"] = "debug" },
        }, HttpStatusCode.BadRequest);

        var error = Assert.Single(problem["errors"]!.AsObject());
        Assert.Equal("env.DB_PASSWORD", error.Key);
        Assert.Equal("'DB_PASSWORD' is a secret of 'api': a plain value would be stored and deployed in plain text. " +
            "Send {\"DB_PASSWORD\": {\"secret\": \"…\"}} to change it, or null to remove the variable first.", (string)error.Value![0]!);
        Assert.DoesNotContain("now-in-plain-text", problem.ToJsonString(), StringComparison.Ordinal);
        var env = (await factory.GetEnvironmentAsync("plain-dev"))["spec"]!["spec"]!["services"]![0]!["env"]!.AsObject();
        Assert.True((bool)env["DB_PASSWORD"]!["secret"]!["unchanged"]!);
        Assert.Equal("info", (string)env["LOG_LEVEL"]!);

        // Removing it, or giving a new secret value, is how it changes.
        await AcceptedAsync(factory, "/v1/environments/plain-dev/services/api/deploy", new
        {
            image = "registry.example.com/shop/api:1.1.0",
            env = new Dictionary<string, object?> { ["DB_PASSWORD"] = new { secret = "rotated-very-secret" } },
        });
    }

    [Fact]
    public async Task Deploy_IsRejectedClearly_ForAnUnpinnedImage_AnUnknownService_AndAnEnvironmentBeingDestroyed()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Shop("reject-dev"));

        var latest = await ProblemAsync(factory, "/v1/environments/reject-dev/services/api/deploy", new { image = "registry.example.com/shop/api:latest" }, HttpStatusCode.BadRequest);
        Assert.Contains("latest", (string)latest["errors"]!["image"]![0]!, StringComparison.Ordinal);
        var untagged = await ProblemAsync(factory, "/v1/environments/reject-dev/services/api/deploy", new { image = "registry.example.com/shop/api" }, HttpStatusCode.BadRequest);
        Assert.Contains("no tag", (string)untagged["errors"]!["image"]![0]!, StringComparison.Ordinal);
        var missing = await ProblemAsync(factory, "/v1/environments/reject-dev/services/api/deploy", new { }, HttpStatusCode.BadRequest);
        Assert.NotNull(missing["errors"]!["image"]);
        var unknown = await ProblemAsync(factory, "/v1/environments/reject-dev/services/billing/deploy", new { image = "registry.example.com/shop/billing:1.0.0" }, HttpStatusCode.NotFound);
        Assert.Contains("api, worker", (string)unknown["detail"]!, StringComparison.Ordinal);
        await ProblemAsync(factory, "/v1/environments/nowhere/services/api/deploy", new { image = "registry.example.com/shop/api:1.0.1" }, HttpStatusCode.NotFound);

        factory.Memory.Script(EngineCommand.Destroy, EngineScript.Hold);
        using (var destroy = await factory.CreateClient().DeleteAsync("/v1/environments/reject-dev", Cancel))
        {
            Assert.Equal(HttpStatusCode.Accepted, destroy.StatusCode);
        }

        var destroying = await ProblemAsync(factory, "/v1/environments/reject-dev/services/api/deploy", new { image = "registry.example.com/shop/api:1.0.1" }, HttpStatusCode.Conflict);
        Assert.Contains("being destroyed", (string)destroying["detail"]!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task FailedRollout_MarksTheOperationFailed_WithTheProvidersReason_AndStreamsItsProgress()
    {
        using var factory = new PlatformFactory();
        await factory.CreateAndWaitAsync(Shop("rollout-dev"));
        factory.Fake.Behave("up", "rollout-failure");

        var deployed = await AcceptedAsync(factory, "/v1/environments/rollout-dev/services/api/deploy", new { image = "registry.example.com/shop/api:9.9.9-broken" });
        var operation = await factory.WaitForOperationAsync((string)deployed["operation"]!["id"]!);

        Assert.Equal("failed", (string)operation["state"]!);
        Assert.Equal("rollout-failed", (string)operation["error"]!["code"]!);
        var message = (string)operation["error"]!["message"]!;
        Assert.Contains("api (kubernetes:apps/v1:Deployment)", message, StringComparison.Ordinal);
        Assert.Contains("failed to fully initialize or become live", message, StringComparison.Ordinal);
        Assert.Contains("[ImagePullBackOff] Back-off pulling image \"registry.example.com/shop/api:9.9.9-broken\"", message, StringComparison.Ordinal);
        Assert.Equal("failed", (string)(await factory.GetEnvironmentAsync("rollout-dev"))["status"]!);

        var events = await EngineFailureTests.EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string?)e["message"] == "Waiting for app ReplicaSet to be available (0/2 Pods available)");
        Assert.Contains(events, e => (string)e["type"]! == "diagnostic" && (string?)e["detail"] == "warning" &&
                                     ((string)e["message"]!).Contains("ImagePullBackOff", StringComparison.Ordinal));
    }

    [Fact]
    public async Task Promote_CopiesTheRunningImages_AsOneUpdate_RecordedWithBothEnvironments()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Shop("shop-staging", tier: "staging", apiImage: "registry.example.com/shop/api:1.4.3", workerImage: "registry.example.com/shop/worker:2.1.0"));
        await factory.CreateAndWaitAsync(Shop("shop-prod", tier: "prod"));

        var promoted = await AcceptedAsync(factory, "/v1/environments/shop-prod/promote", new { from = "shop-staging", services = new[] { "api" } });
        Assert.Equal("promote:shop-staging", (string)promoted["operation"]!["origin"]!);
        Assert.Equal("shop-prod", (string)promoted["operation"]!["environment"]!);
        Assert.Equal(["api-deployment (kubernetes:apps/v1:Deployment)"], promoted["planDiff"]!["changed"]!.AsArray().Select(c => (string)c!));
        var operation = await factory.WaitForOperationAsync((string)promoted["operation"]!["id"]!);
        Assert.Equal("succeeded", (string)operation["state"]!);

        var prod = await factory.GetEnvironmentAsync("shop-prod");
        Assert.Equal("registry.example.com/shop/api:1.4.3", ImageOf(prod, "api"));
        Assert.Equal("registry.example.com/shop/worker:2.0.0", ImageOf(prod, "worker"));
        Assert.Equal("prod", (string)prod["tier"]!);
        var events = await EngineFailureTests.EventsAsync(factory, (string)operation["id"]!);
        Assert.Contains(events, e => (string?)e["message"] == "Promotion from shop-staging to shop-prod: api=registry.example.com/shop/api:1.4.3.");

        // Without a list, every service both run is promoted.
        var all = await AcceptedAsync(factory, "/v1/environments/shop-prod/promote", new { from = "shop-staging" });
        Assert.Equal(2, all["images"]!.AsObject().Count);
        await factory.WaitForOperationAsync((string)all["operation"]!["id"]!);
        Assert.Equal("registry.example.com/shop/worker:2.1.0", ImageOf(await factory.GetEnvironmentAsync("shop-prod"), "worker"));

        var unknownService = await ProblemAsync(factory, "/v1/environments/shop-prod/promote", new { from = "shop-staging", services = new[] { "billing" } }, HttpStatusCode.BadRequest);
        Assert.Contains("runs no service 'billing'", (string)unknownService["errors"]!["services[0]"]![0]!, StringComparison.Ordinal);
        await ProblemAsync(factory, "/v1/environments/shop-prod/promote", new { from = "shop-nowhere" }, HttpStatusCode.NotFound);
        await ProblemAsync(factory, "/v1/environments/shop-prod/promote", new { from = "shop-prod" }, HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task Rollback_ReappliesTheSpecOfAnEarlierSuccessfulDeployment()
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        var created = await factory.CreateAndWaitAsync(Shop("back-dev"));
        foreach (var version in new[] { "1.1.0", "1.2.0" })
        {
            var deployed = await AcceptedAsync(factory, "/v1/environments/back-dev/services/api/deploy", new { image = $"registry.example.com/shop/api:{version}" });
            Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)deployed["operation"]!["id"]!))["state"]!);
        }

        // With no operation named: the deployment before the current one.
        var previous = await AcceptedAsync(factory, "/v1/environments/back-dev/rollback", new { });
        Assert.StartsWith("rollback:op_", (string)previous["operation"]!["origin"]!, StringComparison.Ordinal);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)previous["operation"]!["id"]!))["state"]!);
        Assert.Equal("registry.example.com/shop/api:1.1.0", ImageOf(await factory.GetEnvironmentAsync("back-dev"), "api"));

        var first = await AcceptedAsync(factory, "/v1/environments/back-dev/rollback", new { operationId = (string)created["id"]! });
        Assert.Equal($"rollback:{created["id"]}", (string)first["operation"]!["origin"]!);
        Assert.Equal("succeeded", (string)(await factory.WaitForOperationAsync((string)first["operation"]!["id"]!))["state"]!);
        var environment = await factory.GetEnvironmentAsync("back-dev");
        Assert.Equal("registry.example.com/shop/api:1.0.0", ImageOf(environment, "api"));
        Assert.Equal("on", (string)environment["spec"]!["spec"]!["services"]![0]!["env"]!["OLD_FLAG"]!);

        var unknown = await ProblemAsync(factory, "/v1/environments/back-dev/rollback", new { operationId = "op_nope" }, HttpStatusCode.BadRequest);
        Assert.NotNull(unknown["errors"]!["operationId"]);
    }

    [Theory]
    [InlineData("/v1/environments/keyed-dev/services/api/deploy", """{"image":"registry.example.com/shop/api:1.9.0"}""", """{"image":"registry.example.com/shop/api:1.9.1"}""")]
    [InlineData("/v1/environments/keyed-dev/promote", """{"from":"keyed-staging","services":["api"]}""", """{"from":"keyed-staging"}""")]
    [InlineData("/v1/environments/keyed-dev/rollback", "{}", """{"operationId":"op_other"}""")]
    public async Task Deploy_promote_and_rollback_honour_the_idempotency_key(string path, string body, string otherBody)
    {
        using var factory = new PlatformFactory(engine: new InMemoryStackEngine());
        await factory.CreateAndWaitAsync(Shop("keyed-staging", tier: "staging", apiImage: "registry.example.com/shop/api:1.4.3"));
        await factory.CreateAndWaitAsync(Shop("keyed-dev"));
        var deployed = await AcceptedAsync(factory, "/v1/environments/keyed-dev/services/api/deploy", new { image = "registry.example.com/shop/api:1.1.0" });
        await factory.WaitForOperationAsync((string)deployed["operation"]!["id"]!);
        var client = factory.CreateClient();
        async Task<(HttpStatusCode Status, JsonObject Body, Uri? Location)> SendAsync(string json, string key)
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, path)
            {
                Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json"),
                Headers = { { "Idempotency-Key", key } },
            };
            using var response = await client.SendAsync(request, Cancel);
            return (response.StatusCode, await PlatformFactory.ReadAsync(response), response.Headers.Location);
        }

        var first = await SendAsync(body, "deploy-key-1");
        Assert.True(first.Status == HttpStatusCode.Accepted, first.Body.ToJsonString());
        var id = (string)first.Body["operation"]!["id"]!;
        await factory.WaitForOperationAsync(id);

        // The same request again: the same operation (as it is now), plan diff and images, and no second update.
        var retry = await SendAsync(body, "deploy-key-1");
        Assert.Equal(HttpStatusCode.Accepted, retry.Status);
        Assert.Equal(first.Location, retry.Location);
        Assert.Equal(id, (string)retry.Body["operation"]!["id"]!);
        Assert.Equal("succeeded", (string)retry.Body["operation"]!["state"]!);
        Assert.Equal(first.Body["planDiff"]!.ToJsonString(), retry.Body["planDiff"]!.ToJsonString());
        Assert.Equal(first.Body["images"]!.ToJsonString(), retry.Body["images"]!.ToJsonString());
        Assert.Equal(3, factory.Memory.CallsOf("up").Count(c => c.Stack == "keyed-dev"));

        // Another request with the key: 422, nothing queued.
        var other = await SendAsync(otherBody, "deploy-key-1");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, other.Status);
        Assert.Contains("request with another body.", (string)other.Body["detail"]!, StringComparison.Ordinal);
        var operations = (await factory.GetEnvironmentAsync("keyed-dev"))["lastOperation"]!;
        Assert.Equal(id, (string)operations["id"]!);

        // The OpenAPI document says so.
        var document = (await client.GetFromJsonAsync<JsonObject>("/openapi/v1.json", Cancel))!;
        var parameters = document["paths"]![path.Replace("keyed-dev", "{name}", StringComparison.Ordinal).Replace("/api/", "/{service}/", StringComparison.Ordinal)]!["post"]!["parameters"]!.AsArray();
        Assert.Contains(parameters, p => (string?)p!["name"] == "Idempotency-Key" && (string?)p["in"] == "header");
    }
}
