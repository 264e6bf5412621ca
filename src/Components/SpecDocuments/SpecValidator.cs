using System.Collections.Immutable;
using System.Text.RegularExpressions;
using k8s.Models;
using Platform.Components.Resources;
using Platform.Components.Specs;
using Platform.Components.Targets;
using Platform.Components.Tiers;

namespace Platform.Components.SpecDocuments;

/// <summary>
/// Checks a parsed spec against every semantic rule and the tier's guardrails, collecting all errors at once,
/// each with its path, what is wrong and how to fix it.
/// </summary>
public static partial class SpecValidator
{
    /// <summary>The longest environment name: it prefixes cloud names that have 63-character limits.</summary>
    public const int MaxEnvironmentNameLength = 40;

    /// <summary>The longest service or resource name.</summary>
    public const int MaxComponentNameLength = 40;

    /// <summary>Returns every error in <paramref name="spec"/>; empty when it is valid for <paramref name="targets"/>.</summary>
    public static ImmutableArray<SpecError> Validate(EnvironmentSpec spec, TargetSettings targets) => Validate(spec, targets, null);

    /// <summary>
    /// Validates <paramref name="spec"/>, or (with a <paramref name="draft"/>) what could be read of a spec with
    /// structural errors: every other problem is found in the same pass, and nothing the parser reported is repeated.
    /// </summary>
    internal static ImmutableArray<SpecError> Validate(EnvironmentSpec spec, TargetSettings targets, SpecDraft? draft)
    {
        ArgumentNullException.ThrowIfNull(spec);
        ArgumentNullException.ThrowIfNull(targets);
        var errors = new List<SpecError>();
        void Error(string path, string message, string fix)
        {
            if (draft?.Reported(path) != true)
            {
                errors.Add(new SpecError(path, message, fix));
            }
        }

        // With an unreadable tier, the tier's guardrails cannot be checked (its own error says why). The parser reads
        // only known tiers; a spec built in code can hold any number.
        var tierKnown = draft?.TierKnown != false && Enum.IsDefined(spec.Tier);
        if (draft?.TierKnown != false && !tierKnown)
        {
            Error("spec.tier", $"Unknown tier '{spec.Tier}'.", $"Use one of: {string.Join(", ", Enum.GetNames<Tier>().Select(n => n.ToLowerInvariant()))}.");
        }

        var profile = tierKnown ? TierProfile.For(spec.Tier) : null;
        string ServicePath(int i) => $"spec.services[{(draft is null ? i : draft.ServiceIndexes[i])}]";
        string ResourcePath(int i) => $"spec.resources[{(draft is null ? i : draft.ResourceIndexes[i])}]";

        CheckName(spec.Metadata.Name, "metadata.name", MaxEnvironmentNameLength, Error);
        CheckLabelValue(spec.Metadata.Team, "metadata.team", Error);
        CheckLabelValue(spec.Metadata.CostCenter, "metadata.costCenter", Error);
        foreach (var (key, value) in spec.Metadata.Labels)
        {
            if (!LabelKey().IsMatch(key) || key.StartsWith("platform.io/", StringComparison.Ordinal) || key.StartsWith("app.kubernetes.io/", StringComparison.Ordinal))
            {
                Error($"metadata.labels.{key}", $"'{key}' is not a label key you can set.", "Use a key of letters, digits, '-', '_' and '.' (optionally with a 'prefix/'), outside platform.io/ and app.kubernetes.io/.");
            }

            CheckLabelValue(value, $"metadata.labels.{key}", Error);
        }

        if (!targets.TryGet(spec.Target, out var target))
        {
            Error("spec.target", $"No deployment target is named '{spec.Target}'.", $"Use one of: {string.Join(", ", targets.Names)}.");
        }
        else
        {
            // A targets file with such a problem is refused as it is read; a target built in code (the Pulumi binding
            // takes one) is checked here, the step every way in shares.
            foreach (var problem in target.Problems().Concat(target.Telemetry.Problems(target.Name)))
            {
                Error(problem.Path, problem.Message, problem.Fix);
            }
        }

        if (profile is not null)
        {
            CheckTtl(spec, profile, Error);
        }

        if (spec.Services.IsEmpty && spec.Resources.IsEmpty && (draft?.Skipped ?? 0) == 0)
        {
            Error("spec", "The environment declares no services and no resources.", "Add at least one entry under spec.services or spec.resources.");
        }

        var seen = new Dictionary<string, string>(StringComparer.Ordinal);
        void CheckUnique(string name, string path)
        {
            if (!seen.TryAdd(name, path))
            {
                Error($"{path}.name", $"The name '{name}' is already used at {seen[name]}.", "Give every service and resource its own name.");
            }
            else if (name == spec.Metadata.Name)
            {
                // The environment is itself a component named after it; a namesake service would be ambiguous.
                Error($"{path}.name", $"The name '{name}' is the environment's own name.", $"Name it after what it does, e.g. '{name}-api'.");
            }
        }

        var hosts = new Dictionary<string, int>(StringComparer.Ordinal);
        for (var i = 0; i < spec.Services.Length; i++)
        {
            var service = spec.Services[i];
            var path = ServicePath(i);
            CheckName(service.Name, $"{path}.name", MaxComponentNameLength, Error);
            CheckUnique(service.Name, path);
            if (Kubernetes.WorkloadDefaults.ReservedServiceNames.Contains(service.Name))
            {
                Error($"{path}.name", $"'{service.Name}' is reserved for the environment's own objects.", "Choose another name.");
            }

            CheckService(spec, service, path, profile, draft?.UnreadNames ?? [], Error);
            if (service.Host is { } host && !hosts.TryAdd(host, i))
            {
                Error($"{path}.host", $"Host '{host}' is already used by {ServicePath(hosts[host])}.", "Give each web service its own host prefix.");
            }
        }

        for (var i = 0; i < spec.Resources.Length; i++)
        {
            var resource = spec.Resources[i];
            var path = ResourcePath(i);
            CheckName(resource.Name, $"{path}.name", MaxComponentNameLength, Error);
            CheckUnique(resource.Name, path);
            CheckResource(resource, path, Error);
        }

        return [.. errors];
    }

    private static void CheckTtl(EnvironmentSpec spec, TierProfile profile, Action<string, string, string> error)
    {
        if (spec.Ttl is not { } ttl)
        {
            return;
        }

        if (profile.MaxTtl is null)
        {
            error("spec.ttl", $"A {Planning.Ownership.TierName(spec.Tier)} environment never expires, so it takes no ttl.", "Remove spec.ttl.");
        }
        else if (ttl < TimeSpan.FromHours(1))
        {
            error("spec.ttl", $"A ttl of {SpecParser.FormatDuration(ttl)} is too short to be useful.", "Use at least 1h.");
        }
        else if (ttl > profile.MaxTtl)
        {
            error("spec.ttl", $"A ttl of {SpecParser.FormatDuration(ttl)} is longer than the {Planning.Ownership.TierName(spec.Tier)} maximum of {SpecParser.FormatDuration(profile.MaxTtl.Value)}.",
                $"Use {SpecParser.FormatDuration(profile.MaxTtl.Value)} or less, or extend the environment later.");
        }
    }

    private static void CheckService(EnvironmentSpec spec, ServiceSpec service, string path, TierProfile? profile, ImmutableArray<string> unreadNames, Action<string, string, string> error)
    {
        if (!Enum.IsDefined(service.Type))
        {
            // The parser reads only known types; a spec built in code can hold any number.
            error($"{path}.type", $"Unknown type '{service.Type}'.", $"Use one of: {string.Join(", ", Enum.GetNames<ServiceType>().Select(n => n.ToLowerInvariant()))}.");
        }

        CheckImage(service.Image, $"{path}.image", error);

        if (service.Port is { } port && port is < 1 or > 65535)
        {
            error($"{path}.port", $"Port {port} is outside 1-65535.", "Use the port the container listens on, e.g. 8080.");
        }
        else if (service.Port is < 1024)
        {
            error($"{path}.port", $"Port {service.Port} is privileged; containers run as non-root and cannot bind it.", "Listen on a port of 1024 or above, e.g. 8080.");
        }

        if (service.Host is { } host)
        {
            if (service.Type != ServiceType.Web)
            {
                error($"{path}.host", $"Only web services have a public host; '{service.Name}' is a {service.Type.ToString().ToLowerInvariant()}.", "Remove 'host', or make the service type 'web'.");
            }
            else if (!DnsLabel().IsMatch(host) || host.Length > 63)
            {
                error($"{path}.host", $"'{host}' is not a DNS label.", "Use lower-case letters, digits and '-', starting with a letter, at most 63 characters.");
            }
        }

        if (service.HealthPath is { } healthPath)
        {
            if (service.Type != ServiceType.Web)
            {
                error($"{path}.healthPath", "Only web services have HTTP probes.", "Remove 'healthPath'.");
            }
            else if (!healthPath.StartsWith('/') || healthPath.Any(char.IsWhiteSpace))
            {
                error($"{path}.healthPath", $"'{healthPath}' is not an absolute URL path.", "Start it with '/', e.g. /healthz.");
            }
        }

        if (service.Type == ServiceType.Cron)
        {
            if (service.Schedule is null)
            {
                error($"{path}.schedule", "A cron service needs a schedule.", "Add a five-field cron schedule, e.g. \"0 3 * * *\".");
            }
            else if (CronProblem(service.Schedule) is { } problem)
            {
                error($"{path}.schedule", $"'{service.Schedule}' is not a cron schedule: {problem}.", "Use five fields (minute hour day month weekday), e.g. \"*/15 * * * *\", or @hourly/@daily/@weekly/@monthly.");
            }

            if (service.Replicas is not null)
            {
                error($"{path}.replicas", "A cron service runs one job per schedule tick and has no replicas.", "Remove 'replicas'.");
            }

            if (service.Port is not null)
            {
                error($"{path}.port", "A cron job takes no traffic.", "Remove 'port'.");
            }
        }
        else if (service.Schedule is not null)
        {
            error($"{path}.schedule", $"Only cron services have a schedule; '{service.Name}' is a {service.Type.ToString().ToLowerInvariant()}.", "Remove 'schedule', or make the service type 'cron'.");
        }

        foreach (var (name, value) in service.Env)
        {
            if (!EnvName().IsMatch(name))
            {
                error($"{path}.env.{name}", $"'{name}' is not a valid environment variable name.", "Use letters, digits and '_', not starting with a digit.");
            }

            if (value.IsSecret && value.Value.Length == 0)
            {
                error($"{path}.env.{name}", "A secret needs a value.", "Give the secret a value, or remove it.");
            }
        }

        var usedOnce = new HashSet<string>(StringComparer.Ordinal);
        for (var u = 0; u < service.Uses.Length; u++)
        {
            var used = service.Uses[u];
            var usePath = $"{path}.uses[{u}]";
            if (used == service.Name)
            {
                error(usePath, $"'{service.Name}' names itself.", "Remove it; a service can always reach itself.");
            }
            else if (!usedOnce.Add(used))
            {
                error(usePath, $"'{used}' is listed twice.", "List each dependency once.");
            }
            else if (SpecLookup.Service(spec, used) is { } peer)
            {
                // Workers may listen without declaring a port (the README example's api uses its ledger worker);
                // only cron jobs are never reachable.
                if (peer.Type == ServiceType.Cron)
                {
                    error(usePath, $"'{used}' is a cron job, so nothing can talk to it.", $"Remove '{used}' from uses.");
                }
            }
            else if (SpecLookup.Resource(spec, used) is null && !unreadNames.Contains(used))
            {
                var known = spec.Services.Select(s => s.Name).Concat(spec.Resources.Select(r => r.Name)).Concat(unreadNames)
                    .Where(n => n != service.Name && n.Length > 0).Distinct().ToList();
                var suggestion = Documents.Spelling.Suggest(used, known);
                error(usePath, $"'{used}' names no service or resource in this environment.",
                    known.Count == 0 ? "Declare it under spec.services or spec.resources."
                    : (suggestion is null ? "" : $"Did you mean '{suggestion}'? ") + $"Declare it, or use one of: {string.Join(", ", known)}.");
            }
        }

        if (service.Replicas is { } replicas)
        {
            CheckReplicas(replicas, $"{path}.replicas", spec.Tier, profile, error);
        }

        if (service.Resources is { } resources)
        {
            CheckQuantity(resources.Cpu, profile?.MaxCpuRequest, $"{path}.resources.cpu", "CPU", "250m or 1", spec.Tier, error);
            CheckQuantity(resources.Memory, profile?.MaxMemoryRequest, $"{path}.resources.memory", "memory", "512Mi or 1Gi", spec.Tier, error);
        }
    }

    // Each bound is checked against the tier first, so the fix names the bound that is actually wrong: min: 500 on
    // staging is above the tier's maximum (not "make max at least min"), and only bounds within the tier are compared.
    private static void CheckReplicas(ReplicaRange replicas, string path, Tier tier, TierProfile? profile, Action<string, string, string> error)
    {
        var name = profile is null ? "" : Planning.Ownership.TierName(tier);
        var minInTier = true;
        var maxInTier = true;
        if (replicas.Min < 0)
        {
            error($"{path}.min", $"min ({replicas.Min}) is negative.", profile is null ? "Use at least 1." : $"Use at least {profile.MinReplicasAllowed}.");
            minInTier = false;
        }
        else if (profile is not null && replicas.Min < profile.MinReplicasAllowed)
        {
            error($"{path}.min", $"{replicas.Min} replica(s) is below the {name} minimum of {profile.MinReplicasAllowed}.", $"Use at least {profile.MinReplicasAllowed}.");
            minInTier = false;
        }
        else if (profile is not null && replicas.Min > profile.MaxReplicasAllowed)
        {
            error($"{path}.min", $"min ({replicas.Min}) is above the {name} maximum of {profile.MaxReplicasAllowed} replicas.",
                $"Use a min between {profile.MinReplicasAllowed} and {profile.MaxReplicasAllowed}.");
            minInTier = false;
        }

        if (profile is not null && replicas.Max > profile.MaxReplicasAllowed)
        {
            error($"{path}.max", $"{replicas.Max} replicas is above the {name} maximum of {profile.MaxReplicasAllowed}.", $"Use at most {profile.MaxReplicasAllowed}.");
            maxInTier = false;
        }
        else if (profile is not null && replicas.Max < profile.MinReplicasAllowed)
        {
            error($"{path}.max", $"max ({replicas.Max}) is below the {name} minimum of {profile.MinReplicasAllowed} replicas.", $"Use a max of at least {Math.Max(profile.MinReplicasAllowed, replicas.Min)}.");
            maxInTier = false;
        }

        if (minInTier && maxInTier && replicas.Max < replicas.Min)
        {
            error($"{path}.max", $"max ({replicas.Max}) is below min ({replicas.Min}).", $"Raise max to at least {replicas.Min}, or lower min to {replicas.Max}.");
        }
    }

    private static void CheckResource(ResourceSpec resource, string path, Action<string, string, string> error)
    {
        if (!ResourceKinds.TryGet(resource.Type, out var kind))
        {
            // The parser refuses an unknown type; a spec built in code reaches here with one.
            error($"{path}.type", $"Unknown type '{resource.Type}'.", $"Use one of: {string.Join(", ", ResourceKinds.Names)}.");
            return;
        }

        // In the order kinds declare their fields, so errors read like the spec's documentation.
        var fields = resource.Fields.OrderBy(f => ResourceKinds.FieldNames.IndexOf(f.Key) is var i and >= 0 ? i : int.MaxValue);
        foreach (var (field, value) in fields)
        {
            var definition = kind.Fields.FirstOrDefault(f => f.Name == field);
            if (definition is null)
            {
                var owners = ResourceKinds.FieldOwners.TryGetValue(field, out var o) ? o.Select(k => k.Name).ToList() : [];
                error($"{path}.{field}",
                    owners.Count == 0
                        ? $"A {kind.Name} resource has no field '{field}'."
                        : $"Only {string.Join(" and ", owners)} resources have a {field}; '{resource.Name}' is a {kind.Name}.",
                    $"Remove '{field}'.");
            }
            else if (!definition.Values.IsEmpty && !definition.Values.Contains(value, StringComparer.Ordinal))
            {
                error($"{path}.{field}", $"'{value}' is not a {field} a {kind.Name} resource accepts.", $"Use one of: {string.Join(", ", definition.Values)}.");
            }
        }

        kind.Validate(resource, path, error);
    }

    private static void CheckQuantity(string? text, string? max, string path, string what, string example, Tier tier, Action<string, string, string> error)
    {
        if (text is null)
        {
            return;
        }

        if (!TryParseQuantity(text, out var value) || value <= 0)
        {
            error(path, $"'{text}' is not a {what} quantity.", $"Write a Kubernetes quantity, e.g. {example}.");
            return;
        }

        if (max is not null && value > new ResourceQuantity(max).ToDecimal())
        {
            error(path, $"A {what} request of {text} is above the {Planning.Ownership.TierName(tier)} maximum of {max}.", $"Ask for {max} or less, or split the work across replicas.");
        }
    }

    /// <summary>Parses a Kubernetes quantity (<c>250m</c>, <c>1.5</c>, <c>512Mi</c>) to its decimal value.</summary>
    public static bool TryParseQuantity(string text, out decimal value)
    {
        value = 0;
        if (!Quantity().IsMatch(text))
        {
            return false;
        }

        try
        {
            value = new ResourceQuantity(text).ToDecimal();
            return true;
        }
        catch (Exception ex) when (ex is FormatException or ArgumentException or OverflowException)
        {
            return false;
        }
    }

    private static void CheckImage(string image, string path, Action<string, string, string> error)
    {
        if (image.Length == 0 || image.Any(char.IsWhiteSpace) || image.Any(char.IsAsciiLetterUpper) && !image.Contains('@', StringComparison.Ordinal))
        {
            error(path, $"'{image}' is not an image reference.", "Write registry/repository:tag in lower case, e.g. registry.example.com/team/app:1.4.2.");
            return;
        }

        if (image.Contains('@', StringComparison.Ordinal))
        {
            if (!Digest().IsMatch(image[(image.IndexOf('@', StringComparison.Ordinal) + 1)..]))
            {
                error(path, $"'{image}' has a malformed digest.", "Write the digest as @sha256: followed by 64 hex digits.");
            }

            return;
        }

        var lastSegment = image[(image.LastIndexOf('/') + 1)..];
        var colon = lastSegment.IndexOf(':', StringComparison.Ordinal);
        if (colon < 0)
        {
            error(path, $"'{image}' has no tag, so it floats like 'latest'.", "Pin a version tag or digest, e.g. :1.4.2 or @sha256:….");
        }
        else if (lastSegment[(colon + 1)..] is var tag && tag == "latest")
        {
            error(path, $"'{image}' uses the 'latest' tag, so what runs can change without a deploy.", "Pin a version tag or digest, e.g. :1.4.2 or @sha256:….");
        }
        else if (!Tag().IsMatch(tag))
        {
            error(path, $"'{tag}' is not a valid image tag.", "Use letters, digits, '_', '.' and '-' (at most 128), e.g. 1.4.2.");
        }
    }

    private static void CheckName(string name, string path, int maxLength, Action<string, string, string> error)
    {
        if (name.Length == 0)
        {
            error(path, "The name is empty.", "Use lower-case letters, digits and '-', starting with a letter.");
        }
        else if (name.Length > maxLength)
        {
            error(path, $"'{name}' is {name.Length} characters; the limit is {maxLength}.", $"Shorten it to {maxLength} characters or fewer.");
        }
        else if (!DnsLabel().IsMatch(name) || name.Contains("--", StringComparison.Ordinal))
        {
            error(path, $"'{name}' is not a DNS-safe name.", "Use lower-case letters, digits and single '-', starting with a letter and ending with a letter or digit, e.g. orders-db.");
        }
    }

    private static void CheckLabelValue(string value, string path, Action<string, string, string> error)
    {
        if (value.Length == 0 || value.Length > 63 || !LabelValue().IsMatch(value))
        {
            error(path, $"'{value}' cannot be used as a label value.", "Use 1-63 letters, digits, '-', '_' or '.', starting and ending with a letter or digit.");
        }
    }

    private static readonly string[] Months = ["JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC"];
    private static readonly string[] Weekdays = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

    // MaxStep: the largest step accepted (Kubernetes takes any positive one; a larger one selects only the start).
    private static readonly (string Name, int Min, int Max, int MaxStep, string[] Names, bool AllowQuestion)[] CronFields =
    [
        ("minute", 0, 59, 59, [], false),
        ("hour", 0, 23, 23, [], false),
        ("day-of-month", 1, 31, 31, [], true),
        ("month", 1, 12, 12, Months, false),
        // 0-6 only: Kubernetes validates a CronJob's schedule with robfig/cron v3's ParseStandard (validateScheduleFormat,
        // pkg/apis/batch/validation/validation.go), whose day-of-week bounds are 0-6 (spec.go), so the 7 that other crons
        // read as Sunday is refused by the API server ("end of range (7) above maximum (6)").
        ("day-of-week", 0, 6, 7, Weekdays, true),
    ];

    // The five fields Kubernetes CronJobs accept, each checked against its range so `pulumi up` cannot fail on it
    // halfway through creating an environment. Says which field is wrong and why, or null when the schedule is fine.
    private static string? CronProblem(string schedule)
    {
        if (schedule is "@yearly" or "@annually" or "@monthly" or "@weekly" or "@daily" or "@midnight" or "@hourly")
        {
            return null;
        }

        var fields = schedule.Split(' ', StringSplitOptions.RemoveEmptyEntries);
        if (fields.Length != 5)
        {
            return $"it has {fields.Length} field{(fields.Length == 1 ? "" : "s")}, not 5";
        }

        for (var i = 0; i < 5; i++)
        {
            var (name, min, max, maxStep, names, allowQuestion) = CronFields[i];
            if (CronFieldProblem(fields[i], min, max, maxStep, names, allowQuestion) is { } problem)
            {
                return $"the {name} field (field {i + 1}, '{fields[i]}') {problem}" + (name == "day-of-week" && HasSeven(fields[i]) ? " (Sunday is 0 or SUN)" : "");
            }
        }

        return null;
    }

    // Whether a value or range bound (not a step) of the field is 7.
    private static bool HasSeven(string field) =>
        field.Split(',').Any(part => part.Split('/')[0].Split('-').Contains("7"));

    private static string? CronFieldProblem(string field, int min, int max, int maxStep, string[] names, bool allowQuestion)
    {
        var range = $"{min}-{max}" + (names.Length > 0 ? $" or {names[0]}-{names[^1]}" : "");
        foreach (var part in field.Split(','))
        {
            var (span, step) = part.Split('/') switch
            {
                [var r] => (r, (string?)null),
                [var r, var s] => (r, s),
                _ => ("", null),
            };
            if (step is not null && (!int.TryParse(step, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var n) || n < 1 || n > maxStep))
            {
                return $"has a step '{step}' outside 1-{maxStep}";
            }

            if (span == "*" || (allowQuestion && span == "?" && step is null))
            {
                continue;
            }

            var bounds = span.Split('-');
            if (span.Length == 0 || bounds.Length > 2)
            {
                return $"has '{part}', which is not a value, a range or a step";
            }

            if (bounds.FirstOrDefault(b => CronValue(b, min, max, names) is null) is { } bad)
            {
                return $"has '{bad}', outside {range}";
            }

            if (bounds.Length == 2 && CronValue(bounds[0], min, max, names) > CronValue(bounds[1], min, max, names))
            {
                return $"has the range '{span}', which runs backwards";
            }
        }

        return null;
    }

    private static int? CronValue(string text, int min, int max, string[] names)
    {
        var named = Array.IndexOf(names, text.ToUpperInvariant());
        if (named >= 0)
        {
            return named + (min == 1 ? 1 : 0);
        }

        return int.TryParse(text, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var value) && value >= min && value <= max
            ? value
            : null;
    }

    [GeneratedRegex("^[a-z]([-a-z0-9]*[a-z0-9])?$")]
    private static partial Regex DnsLabel();

    [GeneratedRegex("^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$")]
    private static partial Regex LabelValue();

    [GeneratedRegex("^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?$")]
    private static partial Regex LabelKey();

    [GeneratedRegex("^[A-Za-z_][A-Za-z0-9_]*$")]
    private static partial Regex EnvName();

    [GeneratedRegex("^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")]
    private static partial Regex Tag();

    [GeneratedRegex("^sha256:[a-f0-9]{64}$")]
    private static partial Regex Digest();

    [GeneratedRegex(@"^([0-9]+(\.[0-9]+)?|\.[0-9]+)(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?$")]
    private static partial Regex Quantity();
}
