using Platform.Components.Policies;
using Platform.Components.Pulumi;
using Platform.Components.SpecDocuments;
using Platform.Components.Targets;
using Pulumi;

namespace Platform.Stacks;

/// <summary>
/// The platform engineers' program: one stack per environment. The stack's config names the spec file
/// (<c>environmentSpec</c>), optionally a target overriding the spec's (<c>target</c>) and the targets file
/// (<c>targetsFile</c>, else the <c>PLATFORM_TARGETS</c> variable, else <c>platform.targets.yaml</c>) and the policy
/// settings file (<c>policiesFile</c>, else <c>PLATFORM_POLICIES</c>, else <c>platform.policies.yaml</c> when present).
/// Relative paths are resolved against the project root (where <c>Pulumi.yaml</c> is). The environment goes through
/// the same gated pipeline as the CLI and the Automation API. The stack's outputs are the environment's.
/// </summary>
internal static class PlatformStack
{
    /// <summary>Config key: path of the environment spec file.</summary>
    public const string SpecKey = "environmentSpec";

    /// <summary>Config key: deployment target overriding the spec's.</summary>
    public const string TargetKey = "target";

    /// <summary>Config key: path of the targets file.</summary>
    public const string TargetsFileKey = "targetsFile";

    /// <summary>Environment variable naming the targets file when the stack sets none.</summary>
    public const string TargetsVariable = "PLATFORM_TARGETS";

    /// <summary>The targets file used when neither config nor environment names one.</summary>
    public const string DefaultTargetsFile = "platform.targets.yaml";

    /// <summary>Config key: path of the policy settings file.</summary>
    public const string PoliciesFileKey = "policiesFile";

    /// <summary>Environment variable naming the policy settings file when the stack sets none.</summary>
    public const string PoliciesVariable = "PLATFORM_POLICIES";

    /// <summary>The policy settings file used, when present, when neither config nor environment names one.</summary>
    public const string DefaultPoliciesFile = "platform.policies.yaml";

    /// <summary>Creates the environment the stack's config names and returns its outputs as the stack's.</summary>
    /// <exception cref="EnvironmentSpecException">
    /// The spec is invalid, names a target the targets file lacks, or its plan is blocked (a mandatory guardrail, or
    /// settings neither the target nor the stack gives).
    /// </exception>
    /// <exception cref="FileNotFoundException">A policy settings file named in config or the environment does not exist.</exception>
    public static IDictionary<string, object?> Create(Config config, string root)
    {
        ArgumentNullException.ThrowIfNull(config);
        var specPath = Path.GetFullPath(config.Require(SpecKey), root);
        var spec = SpecParser.Parse(File.ReadAllText(specPath)) switch
        {
            { Spec: { } parsed, Errors.IsEmpty: true } => parsed,
            var failed => throw new EnvironmentSpecException(specPath, failed.Errors),
        };

        var targetsFile = Path.GetFullPath(
            NonEmpty(config.Get(TargetsFileKey)) ?? NonEmpty(System.Environment.GetEnvironmentVariable(TargetsVariable)) ?? DefaultTargetsFile, root);
        var targets = TargetSettings.Load(targetsFile);
        var targetName = NonEmpty(config.Get(TargetKey)) ?? spec.Target;
        if (!targets.TryGet(targetName, out var target))
        {
            throw new EnvironmentSpecException(
                $"Target '{targetName}' is not defined in {targetsFile}. Known targets: {string.Join(", ", targets.Names)}. " +
                $"Add it there, or choose another with `pulumi config set {TargetKey} <name>`.");
        }

        var environment = new PlatformEnvironment(spec.Name, new PlatformEnvironmentArgs { Spec = spec, Target = target, Policies = LoadPolicies(config, root) });
        return environment.Outputs.ToDictionary(o => o.Key, o => (object?)o.Value, StringComparer.Ordinal);
    }

    // A file named explicitly must exist (a typo must not silently switch every advisory rule back on); the default
    // file is optional, as for the CLI and the service.
    private static PolicySettings LoadPolicies(Config config, string root)
    {
        var named = NonEmpty(config.Get(PoliciesFileKey)) ?? NonEmpty(System.Environment.GetEnvironmentVariable(PoliciesVariable));
        var path = Path.GetFullPath(named ?? DefaultPoliciesFile, root);
        return named is not null && !File.Exists(path)
            ? throw new FileNotFoundException($"The policy settings file {path} does not exist. Fix `{PoliciesFileKey}` or {PoliciesVariable}.", path)
            : PolicySettings.Load(path);
    }

    private static string? NonEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;

    /// <summary>The project root: where Pulumi.yaml is, or the current directory on CLIs that do not report it.</summary>
    public static string ProjectRoot()
    {
        try
        {
            return Deployment.Instance.RootDirectory;
        }
        catch (InvalidOperationException)
        {
            return Directory.GetCurrentDirectory();
        }
    }
}
