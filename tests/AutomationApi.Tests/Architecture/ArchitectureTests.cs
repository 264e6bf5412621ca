using System.Reflection;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.HttpResults;
using Platform.AutomationApi.Apis;
using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Lifecycle;
using Platform.AutomationApi.Operations;

namespace Platform.AutomationApi.Tests.Architecture;

/// <summary>The service's seams hold: one engine interface, state changed only by its transitions, keys by one filter.</summary>
public sealed partial class ArchitectureTests
{
    private static readonly Assembly Service = typeof(OperationExecutor).Assembly;

    private static string SourceRoot
    {
        get
        {
            var directory = new DirectoryInfo(AppContext.BaseDirectory);
            while (directory is not null && !File.Exists(Path.Combine(directory.FullName, "Platform.sln")))
            {
                directory = directory.Parent;
            }

            Assert.NotNull(directory);
            return Path.Combine(directory.FullName, "src", "AutomationApi");
        }
    }

    [Fact]
    public void Only_the_engine_folder_and_the_wiring_know_the_CLI_engine()
    {
        var outside = Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}Engine{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) != "PlatformServiceExtensions.cs")
            .Where(f => Regex.IsMatch(File.ReadAllText(f), @"\bPulumiCliEngine\b|\bProcessRunner\b"))
            .Select(Path.GetFileName)
            .ToList();
        Assert.Empty(outside);

        // Everything that runs operations depends on the interface alone.
        foreach (var type in new[] { typeof(OperationExecutor), typeof(StartupRecovery), typeof(EngineProbe) })
        {
            var parameters = type.GetConstructors().Single().GetParameters().Select(p => p.ParameterType).ToList();
            Assert.Contains(typeof(IStackEngine), parameters);
            Assert.DoesNotContain(typeof(PulumiCliEngine), parameters);
        }
    }

    [GeneratedRegex(@"\.(Status|State|Version|ExpiresAt|LastOperationId|FinishedAt|ErrorCode|DestroyedAt)\s*=[^=>]")]
    private static partial Regex StateWrite();

    [Fact]
    public void Handlers_and_background_services_never_write_state_fields_themselves()
    {
        // State moves only through the transitions on EnvironmentRecord and StackOperation (and EnvironmentLifecycle);
        // row versions are stamped by the DbContext alone.
        var files = Directory.EnumerateFiles(Path.Combine(SourceRoot, "Apis"), "*.cs")
            .Concat(new[]
                {
                    "Lifecycle/TtlReaper.cs", "Lifecycle/StartupRecovery.cs", "Lifecycle/EnvironmentCommands.cs", "Lifecycle/DeploymentCommands.cs",
                    "Lifecycle/OperationCommands.cs", "Operations/OperationExecutor.cs", "Operations/OperationWorker.cs",
                }
                .Select(f => Path.Combine(SourceRoot, f)));
        var writers = files
            .SelectMany(f => File.ReadAllLines(f).Select((line, i) => (File: Path.GetFileName(f), Line: i + 1, Text: line.Trim())))
            .Where(l => !l.Text.StartsWith("//", StringComparison.Ordinal) && StateWrite().IsMatch(l.Text))
            .Select(l => $"{l.File}:{l.Line}: {l.Text}")
            .ToList();
        Assert.Empty(writers);
    }

    [GeneratedRegex(@"\.(BeginUpdate|BeginDestroy|RequestCancel|Finish|Interrupt|ApplyOutcome|RestoreAfterCancel|NeedsRepair)\(")]
    private static partial Regex LifecycleTransition();

    [Fact]
    public void The_api_the_reaper_recovery_and_the_executor_share_one_lifecycle_service()
    {
        // The transitions that queue, finish or undo operations are made by EnvironmentLifecycle alone, which every
        // caller takes: the handlers' commands, the reaper, start-up recovery, the worker and the executor.
        var callers = Directory.EnumerateFiles(SourceRoot, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal))
            .Where(f => Path.GetFileName(f) is not ("EnvironmentLifecycle.cs" or "EnvironmentRecord.cs" or "StackOperation.cs"))
            .Where(f => LifecycleTransition().IsMatch(File.ReadAllText(f)))
            .Select(Path.GetFileName)
            .ToList();
        Assert.Empty(callers);

        foreach (var type in new[]
                 {
                     typeof(EnvironmentCommands), typeof(DeploymentCommands), typeof(OperationCommands), typeof(TtlReaper),
                     typeof(StartupRecovery), typeof(OperationWorker), typeof(OperationExecutor),
                 })
        {
            Assert.Contains(typeof(EnvironmentLifecycle), type.GetConstructors().Single().GetParameters().Select(p => p.ParameterType));
        }
    }

    [Fact]
    public void Every_endpoint_that_queues_an_operation_honours_the_idempotency_key()
    {
        var queuing = new[] { typeof(EnvironmentsApi), typeof(DeploymentsApi) }
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => ReturnsAccepted(m.ReturnType))
            .ToList();
        Assert.Equal(
            ["CreateEnvironment", "DeployService", "DestroyEnvironment", "PreviewEnvironment", "Promote", "RefreshEnvironment", "Rollback", "UpdateEnvironment"],
            queuing.Select(m => m.Name).Order(StringComparer.Ordinal));
        Assert.All(queuing, m => Assert.NotNull(m.GetCustomAttribute<IdempotentAttribute>()));

        // Handlers know nothing of keys: the filter reads the header.
        Assert.DoesNotContain(queuing.SelectMany(m => m.GetParameters()), p => p.Name?.Contains("idempotency", StringComparison.OrdinalIgnoreCase) == true);
    }

    /// <summary>Every route handler: the public static methods of the <c>*Api</c> classes, whichever folder holds them.</summary>
    public static TheoryData<string, string> Handlers => [.. Service.GetTypes()
        .Where(t => t is { IsAbstract: true, IsSealed: true } && t.Name.EndsWith("Api", StringComparison.Ordinal))
        .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly)
            .Where(m => !m.Name.StartsWith("Map", StringComparison.Ordinal) && !m.IsSpecialName)
            .Where(m => typeof(Task).IsAssignableFrom(m.ReturnType) || typeof(Microsoft.AspNetCore.Http.IResult).IsAssignableFrom(m.ReturnType))
            .Select(m => (t.Name, m.Name)))
        .Distinct()];

    [Fact]
    public void Handlers_are_found_in_every_feature_folder_reads_and_writes()
    {
        var handlers = Handlers.Select(row => $"{row.Data.Item1}.{row.Data.Item2}").ToList();
        Assert.Superset(
            new HashSet<string>(["EnvironmentsApi.CreateEnvironment", "OperationsApi.StreamEvents", "HistoryApi.GetHistory", "AuditApi.ListAudit",
                "WebhooksApi.Register", "QuotasApi.SetQuota", "KeysApi.CreateKey", "CatalogApi.GetCosts", "GoldenPathsApi.GetGoldenPaths"]),
            new HashSet<string>(handlers));
    }

    [Theory]
    [MemberData(nameof(Handlers))]
    public void Every_handler_binds_calls_and_maps_in_about_fifteen_lines(string api, string handler)
    {
        // The decisions live in the types that own them (the lifecycle's commands, OperationEventStream,
        // EnvironmentHistory, AuditQuery, WebhookRegistrations, ApiKeyAdministration, QuotaAdministration, ...); a
        // handler that grows past this is taking them back.
        var file = Directory.EnumerateFiles(SourceRoot, api + ".cs", SearchOption.AllDirectories).Single();
        var lines = File.ReadAllLines(file);
        var start = Array.FindIndex(lines, l => l.StartsWith("    public static ", StringComparison.Ordinal) && l.Contains($" {handler}(", StringComparison.Ordinal));
        Assert.True(start >= 0, $"{handler} not found in {file}");
        var length = LengthOf(lines, start);
        Assert.True(length <= 20, $"{api}.{handler} is {length} lines long");
    }

    /// <summary>Lines of the method whose signature starts at <paramref name="start"/>, signature and braces included.</summary>
    private static int LengthOf(string[] lines, int start)
    {
        for (var i = start; i < lines.Length; i++)
        {
            if (lines[i] == "    {")
            {
                return Array.IndexOf(lines, "    }", i) - start + 1;
            }

            if (lines[i].EndsWith(';'))
            {
                // An expression body.
                return i - start + 1;
            }
        }

        return lines.Length - start;
    }

    private static bool ReturnsAccepted(Type type) =>
        type.IsGenericType && type.GetGenericArguments().Any(a =>
            (a.IsGenericType && a.GetGenericTypeDefinition() == typeof(Accepted<>)) || ReturnsAccepted(a));

    public static TheoryData<EnvironmentStatus> EnvironmentStatuses => [.. Enum.GetValues<EnvironmentStatus>()];

    public static TheoryData<OperationState> OperationStates => [.. Enum.GetValues<OperationState>()];

    [Theory]
    [MemberData(nameof(EnvironmentStatuses))]
    public void Every_environment_status_either_allows_a_transition_or_refuses_it_as_a_conflict(EnvironmentStatus status)
    {
        var now = DateTimeOffset.UnixEpoch;
        Action<EnvironmentRecord>[] transitions =
        [
            e => e.BeginUpdate(now),
            e => e.BeginDestroy(now),
            e => e.Extend("1h", now),
            e => e.EnsureDeployable(),
            e => e.NeedsRepair("[]", now),
            e => e.RestoreAfterCancel(Operation(OperationKind.Update, OperationState.Cancelled), null, now),
            e => e.ApplyOutcome(Operation(OperationKind.Update, OperationState.Failed), new OperationOutcome(OperationState.Failed), null, now),
            e => e.ApplyOutcome(Operation(OperationKind.Refresh, OperationState.Succeeded), new OperationOutcome(OperationState.Succeeded), null, now),
            e => e.ApplyOutcome(Operation(OperationKind.Destroy, OperationState.Succeeded), new OperationOutcome(OperationState.Succeeded), null, now),
        ];
        foreach (var transition in transitions)
        {
            var environment = Environment(status);
            var thrown = Record.Exception(() => transition(environment));
            Assert.True(thrown is null or IllegalTransitionException, $"{status}: {thrown}");
            if (status == EnvironmentStatus.Destroyed)
            {
                Assert.Equal(EnvironmentStatus.Destroyed, environment.Status);
            }
        }
    }

    [Theory]
    [MemberData(nameof(OperationStates))]
    public void Every_operation_state_either_allows_a_transition_or_refuses_it_as_a_conflict(OperationState state)
    {
        var now = DateTimeOffset.UnixEpoch;
        Action<StackOperation>[] transitions =
        [
            o => o.Start(now),
            o => o.RequestCancel(now),
            o => o.Finish(OperationState.Succeeded, 1, null, null, null, now),
            o => o.Interrupt("op_rerun", "stopped", now),
        ];
        foreach (var transition in transitions)
        {
            var operation = Operation(OperationKind.Update, state);
            var thrown = Record.Exception(() => transition(operation));
            Assert.True(thrown is null or IllegalTransitionException, $"{state}: {thrown}");
            if (StackOperation.IsFinal(state))
            {
                // Final is final: nothing moves a finished operation.
                Assert.IsType<IllegalTransitionException>(thrown);
                Assert.Equal(state, operation.State);
            }
        }
    }

    private static EnvironmentRecord Environment(EnvironmentStatus status)
    {
        var environment = new EnvironmentRecord
        {
            Id = "env_1",
            Name = "arch-dev",
            Team = "t",
            Tier = Components.Specs.Tier.Dev,
            Target = "default",
            SpecText = "",
            LastOperationId = "op_1",
            ExpiresAt = DateTimeOffset.UnixEpoch.AddHours(1),
        };
        environment.Status = status;
        return environment;
    }

    private static StackOperation Operation(OperationKind kind, OperationState state) =>
        new() { Id = "op_1", EnvironmentId = "env_1", EnvironmentName = "arch-dev", Kind = kind, State = state };
}
