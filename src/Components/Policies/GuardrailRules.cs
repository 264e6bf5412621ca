using System.Collections.Immutable;
using System.Runtime.InteropServices;
using System.Text.Json;
using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Resources;
using Platform.Components.Specs;
using static Platform.Components.Policies.PlanReading;

namespace Platform.Components.Policies;

/// <summary>
/// The guardrails Platform runs on every plan before it is rendered or applied. Each is a pure function of the plan,
/// so a plan built by hand (or altered after compiling) is judged by exactly what it would deploy.
/// </summary>
internal static class GuardrailRules
{
    /// <summary>The fewest days of automated backups a prod database may keep.</summary>
    public const int MinimumProdBackupDays = 7;

    /// <summary>The fewest replicas a prod web service may run.</summary>
    public const int MinimumProdWebReplicas = 2;

    /// <summary>Tag keys every taggable AWS resource carries.</summary>
    public static ImmutableArray<string> StandardTagKeys { get; } = ["team", "environment", "tier", "cost-center", "managed-by"];

    private static readonly HashSet<string> TaggableTypes = new([AwsTypes.Role, .. ResourceKinds.All.SelectMany(k => k.TaggableTypes)], StringComparer.Ordinal);
    private static readonly string[] LimitedResources = ["cpu", "memory"];
    private static readonly string[] AdministratorPolicies = ["AdministratorAccess", "PowerUserAccess", "IAMFullAccess"];

    /// <summary>Stored data is never public (the kinds that store data check their own resources).</summary>
    public static PolicyRule NoPublicBucket { get; } = Rule(
        GuardrailIds.NoPublicBucket, PolicySeverity.Mandatory, "Stored data is never public.", KindsOnly);

    /// <summary>Stored data is encrypted at rest (the kinds that store data check their own resources).</summary>
    public static PolicyRule EncryptionAtRest { get; } = Rule(
        GuardrailIds.EncryptionAtRest, PolicySeverity.Mandatory, "Stored data is encrypted at rest.", KindsOnly);

    /// <summary>No IAM statement allows a <c>*</c> resource, a wildcard action, or a <c>*</c> principal.</summary>
    public static PolicyRule NoWildcardIam { get; } = Rule(
        GuardrailIds.NoWildcardIam, PolicySeverity.Mandatory,
        "No IAM policy allows the resource '*', a wildcard action ('*', 'service:*'), NotAction/NotResource or the principal '*'.", CheckIam);

    /// <summary>In prod, stored data survives the loss of a zone and a mistaken delete (the kinds that store data check their own resources).</summary>
    public static PolicyRule ProdDatabaseProtection { get; } = Rule(
        GuardrailIds.ProdDatabaseProtection, PolicySeverity.Mandatory,
        "In prod, stored data survives the loss of a zone and a mistaken delete.", KindsOnly);

    /// <summary>Every container states CPU and memory limits.</summary>
    public static PolicyRule ContainerLimits { get; } = Rule(
        GuardrailIds.ContainerLimits, PolicySeverity.Mandatory,
        "Every container sets resources.limits.cpu and resources.limits.memory.", CheckLimits);

    /// <summary>Every container runs as a non-root user.</summary>
    public static PolicyRule NonRootContainers { get; } = Rule(
        GuardrailIds.NonRootContainers, PolicySeverity.Mandatory,
        "Every container runs with runAsNonRoot (set on the pod or the container) and never as user 0.", CheckNonRoot);

    /// <summary>Images name a version: a tag other than <c>latest</c>, or a digest.</summary>
    public static PolicyRule PinnedImages { get; } = Rule(
        GuardrailIds.PinnedImages, PolicySeverity.Mandatory,
        "Every container image has an explicit tag other than 'latest', or a digest.", CheckImages);

    /// <summary>Prod web services run at least two replicas and have a disruption budget.</summary>
    public static PolicyRule ProdWebAvailability { get; } = Rule(
        GuardrailIds.ProdWebAvailability, PolicySeverity.Mandatory,
        $"In prod, every web service runs at least {MinimumProdWebReplicas} replicas and has a PodDisruptionBudget.", CheckProdWeb);

    /// <summary>Stored objects keep their earlier versions, so an overwrite or delete can be undone (the kinds that store objects check their own).</summary>
    public static PolicyRule BucketVersioning { get; } = Rule(
        GuardrailIds.BucketVersioning, PolicySeverity.Advisory, "Stored objects keep their earlier versions.", KindsOnly);

    /// <summary>Taggable AWS resources carry the standard ownership tags.</summary>
    public static PolicyRule StandardTags { get; } = Rule(
        GuardrailIds.StandardTags, PolicySeverity.Advisory,
        "Every taggable AWS resource carries the tags team, environment, tier, cost-center and managed-by.", CheckTags);

    /// <summary>Nothing is reachable from the internet at the network level.</summary>
    public static PolicyRule NoPublicNetworkAccess { get; } = Rule(
        GuardrailIds.NoPublicNetworkAccess, PolicySeverity.Mandatory,
        "No security group admits 0.0.0.0/0 or ::/0.", CheckNetwork);

    /// <summary>Every rule, in id order.</summary>
    public static ImmutableArray<PolicyRule> All { get; } =
    [
        NoPublicBucket, EncryptionAtRest, NoWildcardIam, ProdDatabaseProtection, ContainerLimits, NonRootContainers,
        PinnedImages, ProdWebAvailability, BucketVersioning, StandardTags, NoPublicNetworkAccess,
    ];

    // A rule about the resources of kinds only (stored data): the kinds check it, each in its own folder (ResourceKind.Violations).
    private static IEnumerable<(string, string)> KindsOnly(ResourcePlan plan) => [];

    // Every rule also runs each resource kind's share of it, so a kind brings its own checks (ResourceKind.Violations),
    // and states them in the rule's description (ResourceKind.Guardrails): nothing here names a kind.
    private static PolicyRule Rule(string id, PolicySeverity severity, string description, Func<ResourcePlan, IEnumerable<(string Resource, string Message)>> check) =>
        new(id, severity, string.Join(" ", [description, .. ResourceKinds.All.SelectMany(k => k.Guardrails.Where(g => g.RuleId == id).Select(g => g.Requires))]),
            plan => check(plan).Concat(ResourceKinds.All.SelectMany(k => k.Violations(id, plan))));

    private static IEnumerable<(string, string)> CheckIam(ResourcePlan plan)
    {
        // Loops into one list rather than chained iterators; documents are read as JsonDocuments (pooled memory)
        // through one shared buffer, each disposed before the next is read.
        var violations = new List<(string, string)>();
        using var json = new PolicyDocumentReader();
        foreach (var policy in plan.OfType(AwsTypes.RolePolicy))
        {
            CheckDocument(violations, json, policy, "policy", Get(policy.Inputs, "policy"));
        }

        foreach (var role in plan.OfType(AwsTypes.Role))
        {
            CheckDocument(violations, json, role, "assumeRolePolicy", Get(role.Inputs, "assumeRolePolicy"));
        }

        foreach (var role in plan.OfType(AwsTypes.Role))
        {
            foreach (var inline in Items(role.Inputs, "inlinePolicies"))
            {
                CheckDocument(violations, json, role, "inlinePolicies", Get(inline, "policy"));
            }
        }

        foreach (var role in plan.OfType(AwsTypes.Role))
        {
            foreach (var item in Items(role.Inputs, "managedPolicyArns"))
            {
                if (item is PlanValue.Text arn && Array.Exists(AdministratorPolicies, p => arn.Value.EndsWith(":policy/" + p, StringComparison.Ordinal)))
                {
                    violations.Add((role.Name, $"Role '{role.Name}' attaches the broad managed policy '{arn.Value}'. Grant only the actions the service needs in an inline policy."));
                }
            }
        }

        return violations;
    }

    private static void CheckDocument(List<(string, string)> violations, PolicyDocumentReader json, PlannedResource resource, string property, PlanValue? value)
    {
        if (value is null)
        {
            return;
        }

        using var document = json.Read(value);
        if (document?.RootElement is not { ValueKind: JsonValueKind.Object } root)
        {
            violations.Add((resource.Name, $"The {property} of '{resource.Name}' is not a JSON policy document, so it cannot be checked. Give it as a structured document."));
            return;
        }

        var statements = root.TryGetProperty("Statement", out var found) ? found : default;
        if (statements.ValueKind == JsonValueKind.Array)
        {
            foreach (var statement in statements.EnumerateArray())
            {
                if (statement.ValueKind == JsonValueKind.Object)
                {
                    StatementProblems(violations, resource.Name, property, statement);
                }
            }
        }
        else if (statements.ValueKind == JsonValueKind.Object)
        {
            StatementProblems(violations, resource.Name, property, statements);
        }
    }

    // A property's strings are its string value, or the strings of an array (nested arrays too) in order; anything
    // else holds none. A missing property reads as an undefined element, which holds none either.
    private static void StatementProblems(List<(string, string)> violations, string resource, string property, JsonElement statement)
    {
        if (FirstString(Property(statement, "Effect")) is not { } effect || !effect.ValueEquals("Allow"))
        {
            return;
        }

        // The statement's name is only spelled out when there is a problem to report.
        string Sid() => FirstString(Property(statement, "Sid")) is { } sid ? $"statement '{sid.GetString()}'" : "a statement";
        void Problem(string problem) => violations.Add((resource, $"The {property} of '{resource}' {problem}"));

        WildcardActions(Property(statement, "Action"));
        if (AnyStringEquals(Property(statement, "Resource"), "*"))
        {
            Problem($"allows the resource '*' in {Sid()}. Name the ARNs of the resources the service uses.");
        }

        if (statement.TryGetProperty("NotAction", out _) || statement.TryGetProperty("NotResource", out _))
        {
            Problem($"allows by exclusion (NotAction/NotResource) in {Sid()}. List the allowed actions and resources instead.");
        }

        var principal = Property(statement, "Principal");
        if (AnyStringEquals(principal, "*") || (principal.ValueKind == JsonValueKind.Object && AnyPropertyHoldsStar(principal)))
        {
            Problem($"trusts the principal '*' in {Sid()}. Trust only the specific principal that needs the role.");
        }

        void WildcardActions(JsonElement actions)
        {
            if (actions.ValueKind == JsonValueKind.String)
            {
                // The raw text holds '*' (or an escape that may be one) before the string is worth making.
                var raw = JsonMarshal.GetRawUtf8Value(actions);
                if ((raw.Contains((byte)'*') || raw.Contains((byte)'\\')) && actions.GetString() is { } action && action.Contains('*', StringComparison.Ordinal))
                {
                    Problem($"allows the wildcard action '{action}' in {Sid()}. Name each action the service needs.");
                }
            }
            else if (actions.ValueKind == JsonValueKind.Array)
            {
                foreach (var item in actions.EnumerateArray())
                {
                    WildcardActions(item);
                }
            }
        }
    }

    private static JsonElement Property(JsonElement statement, string name) =>
        statement.TryGetProperty(name, out var value) ? value : default;

    // The first string among a property's strings, if any.
    private static JsonElement? FirstString(JsonElement node)
    {
        if (node.ValueKind == JsonValueKind.String)
        {
            return node;
        }

        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                if (FirstString(item) is { } first)
                {
                    return first;
                }
            }
        }

        return null;
    }

    // Whether any of a property's strings is exactly text.
    private static bool AnyStringEquals(JsonElement node, string text)
    {
        if (node.ValueKind == JsonValueKind.String)
        {
            return node.ValueEquals(text);
        }

        if (node.ValueKind == JsonValueKind.Array)
        {
            foreach (var item in node.EnumerateArray())
            {
                if (AnyStringEquals(item, text))
                {
                    return true;
                }
            }
        }

        return false;
    }

    private static bool AnyPropertyHoldsStar(JsonElement principal)
    {
        foreach (var entry in principal.EnumerateObject())
        {
            if (AnyStringEquals(entry.Value, "*"))
            {
                return true;
            }
        }

        return false;
    }

    private static IEnumerable<(string, string)> CheckLimits(ResourcePlan plan)
    {
        foreach (var workload in Workloads(plan))
        {
            foreach (var container in workload.Containers)
            {
                // Read once per container; the list of what is missing is only made when something is.
                var limits = Get(container, "resources.limits") as PlanValue.Map;
                if (limits is not null && HasAll(limits, LimitedResources))
                {
                    continue;
                }

                var missing = LimitedResources.Where(r => limits?.Find(r) is null).ToList();
                if (missing.Count > 0)
                {
                    yield return (workload.Resource.Name, $"Container '{Text(container, "name")}' of '{workload.Resource.Name}' has no {string.Join(" or ", missing)} limit. Set resources.limits so one pod cannot starve its node.");
                }
            }
        }
    }

    // Whether the map holds every key: a loop, as a lambda over the map was a closure per container or resource.
    private static bool HasAll(PlanValue.Map map, ReadOnlySpan<string> keys)
    {
        foreach (var key in keys)
        {
            if (map.Find(key) is null)
            {
                return false;
            }
        }

        return true;
    }

    private static IEnumerable<(string, string)> CheckNonRoot(ResourcePlan plan)
    {
        foreach (var workload in Workloads(plan))
        {
            var podNonRoot = Bool(workload.PodSpec, "securityContext.runAsNonRoot");
            var podUser = Number(workload.PodSpec, "securityContext.runAsUser");
            foreach (var container in workload.Containers)
            {
                var nonRoot = Bool(container, "securityContext.runAsNonRoot") ?? podNonRoot;
                var user = Number(container, "securityContext.runAsUser") ?? podUser;
                if (nonRoot != true || user == 0)
                {
                    yield return (workload.Resource.Name, $"Container '{Text(container, "name")}' of '{workload.Resource.Name}' may run as root. Set securityContext.runAsNonRoot: true (and a non-zero runAsUser) on the pod or the container.");
                }
            }
        }
    }

    private static IEnumerable<(string, string)> CheckImages(ResourcePlan plan)
    {
        foreach (var workload in Workloads(plan))
        {
            foreach (var container in workload.Containers)
            {
                var image = Text(container, "image");
                if (image is null || !IsPinned(image))
                {
                    yield return (workload.Resource.Name, $"Container '{Text(container, "name")}' of '{workload.Resource.Name}' uses the image '{image}' without a version. Use an explicit tag (not 'latest') or a digest.");
                }
            }
        }
    }

    /// <summary>Whether an image reference names a digest, or a tag other than <c>latest</c>.</summary>
    public static bool IsPinned(string image)
    {
        ArgumentNullException.ThrowIfNull(image);
        if (image.Contains('@', StringComparison.Ordinal))
        {
            return true;
        }

        // A ':' after the last '/' separates the tag; one before it is a registry port. Read as spans: every
        // container of every workload is checked, and the substrings were a quarter of what the guardrails allocated.
        var name = image.AsSpan(image.LastIndexOf('/') + 1);
        var colon = name.LastIndexOf(':');
        return colon >= 0 && colon < name.Length - 1 && !name[(colon + 1)..].SequenceEqual("latest");
    }

    private static IEnumerable<(string, string)> CheckProdWeb(ResourcePlan plan)
    {
        if (plan.Tier != Tier.Prod)
        {
            yield break;
        }

        foreach (var workload in Workloads(plan).Where(w => w.Resource.Type == KubernetesTypes.Deployment && IsWeb(plan, w)))
        {
            var replicas = MinReplicas(plan, workload.Resource);
            if (replicas < MinimumProdWebReplicas)
            {
                yield return (workload.Resource.Name, $"Prod web service '{workload.Resource.Name}' may run only {replicas} replica(s). Set at least {MinimumProdWebReplicas} (replicas, or the autoscaler's minReplicas).");
            }

            if (!HasDisruptionBudget(plan, workload))
            {
                yield return (workload.Resource.Name, $"Prod web service '{workload.Resource.Name}' has no PodDisruptionBudget. Add one selecting its pods so node drains keep it serving.");
            }
        }
    }

    private static IEnumerable<(string, string)> CheckTags(ResourcePlan plan)
    {
        foreach (var resource in PlanIndex.Of(plan).OfTypes(TaggableTypes))
        {
            var tags = Get(resource.Inputs, "tags") as PlanValue.Map;
            if (tags is not null && HasAll(tags, StandardTagKeys.AsSpan()))
            {
                continue;
            }

            var missing = StandardTagKeys.Where(k => tags?[k] is null).ToList();
            if (missing.Count > 0)
            {
                yield return (resource.Name, $"'{resource.Name}' lacks the tag(s) {string.Join(", ", missing)}. Add the standard tags so its cost and owner can be traced.");
            }
        }
    }

    private static IEnumerable<(string, string)> CheckNetwork(ResourcePlan plan)
    {
        foreach (var group in plan.OfType(AwsTypes.SecurityGroup))
        {
            var open = Items(group.Inputs, "ingress").Any(rule =>
                Items(rule, "cidrBlocks").OfType<PlanValue.Text>().Any(c => c.Value == "0.0.0.0/0") ||
                Items(rule, "ipv6CidrBlocks").OfType<PlanValue.Text>().Any(c => c.Value == "::/0"));
            if (open)
            {
                yield return (group.Name, $"Security group '{group.Name}' admits the whole internet. Admit only the security groups or CIDRs that need access.");
            }
        }
    }
}

/// <summary>
/// The guardrails' ids: the names policy settings files switch advisory rules off by, and the keys a resource kind
/// states its share of a rule under (<see cref="Resources.ResourceKind.Guardrails"/>). Constants, so a kind can name a
/// rule while the rules are being built from the kinds.
/// </summary>
internal static class GuardrailIds
{
    public const string NoPublicBucket = "PLT001-no-public-bucket";
    public const string EncryptionAtRest = "PLT002-encryption-at-rest";
    public const string NoWildcardIam = "PLT003-no-wildcard-iam";
    public const string ProdDatabaseProtection = "PLT004-prod-database-protection";
    public const string ContainerLimits = "PLT005-container-limits";
    public const string NonRootContainers = "PLT006-non-root-containers";
    public const string PinnedImages = "PLT007-no-latest-image";
    public const string ProdWebAvailability = "PLT008-prod-web-availability";
    public const string BucketVersioning = "PLT009-bucket-versioning";
    public const string StandardTags = "PLT010-standard-tags";
    public const string NoPublicNetworkAccess = "PLT011-no-public-network-access";
}
