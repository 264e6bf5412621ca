namespace Platform.AutomationApi;

/// <summary>Where the service keeps its files, resolved once from <see cref="PlatformOptions"/> and the content root.</summary>
/// <remarks>
/// <code>
/// &lt;data&gt;/platform.db          SQLite database (environments, operations, events, idempotency keys),
///                              unless Platform:Database:Provider is postgres
/// &lt;data&gt;/passphrase           stack secrets passphrase (mode 0600)
/// &lt;data&gt;/backend/             default Pulumi file backend (PULUMI_BACKEND_URL=file://...)
/// &lt;data&gt;/workspaces/&lt;env&gt;/    rendered Pulumi.yaml per environment
/// &lt;data&gt;/logs/&lt;operation&gt;.jsonl engine event log while a command runs (deleted after)
/// &lt;data&gt;/scratch/&lt;operation&gt;/ a preview's copy of its environment's workspace (deleted after)
/// </code>
/// </remarks>
public sealed class PlatformPaths
{
    /// <summary>Resolves paths.</summary>
    public PlatformPaths(PlatformOptions options, string contentRoot)
    {
        ArgumentNullException.ThrowIfNull(options);
        DataDirectory = Path.GetFullPath(options.DataDirectory, contentRoot);
        BackendUrl = string.IsNullOrWhiteSpace(options.BackendUrl)
            ? new Uri(Path.Combine(DataDirectory, "backend") + Path.DirectorySeparatorChar).AbsoluteUri.TrimEnd('/')
            : options.BackendUrl;
        TargetsFile = options.TargetsFile is { Length: > 0 } file
            ? Path.GetFullPath(file, contentRoot)
            : File.Exists(Path.Combine(contentRoot, DefaultTargetsFileName)) ? Path.Combine(contentRoot, DefaultTargetsFileName) : null;
        TargetsFileRequired = options.TargetsFile is { Length: > 0 };
        PolicyFile = options.PolicyFile is { Length: > 0 } policy
            ? Path.GetFullPath(policy, contentRoot)
            : File.Exists(Path.Combine(contentRoot, DefaultPolicyFileName)) ? Path.Combine(contentRoot, DefaultPolicyFileName) : null;
        PolicyFileRequired = options.PolicyFile is { Length: > 0 };
    }

    /// <summary>The absolute data directory.</summary>
    public string DataDirectory { get; }

    /// <summary>The SQLite database file (used when <see cref="PlatformDatabaseOptions.Provider"/> is <c>sqlite</c>).</summary>
    public string DatabaseFile => Path.Combine(DataDirectory, "platform.db");

    /// <summary>The passphrase file.</summary>
    public string PassphraseFile => Path.Combine(DataDirectory, "passphrase");

    /// <summary>Root of the per-environment workspaces.</summary>
    public string WorkspacesDirectory => Path.Combine(DataDirectory, "workspaces");

    /// <summary>Where engine event logs are written.</summary>
    public string LogsDirectory => Path.Combine(DataDirectory, "logs");

    /// <summary>The effective backend URL.</summary>
    public string BackendUrl { get; }

    /// <summary>The targets file looked for in the content root, as the CLI looks in its working directory.</summary>
    public const string DefaultTargetsFileName = "platform.targets.yaml";

    /// <summary>The targets file, when configured or present.</summary>
    public string? TargetsFile { get; }

    /// <summary>Whether the targets file was configured explicitly (and so must exist).</summary>
    public bool TargetsFileRequired { get; }

    /// <summary>The policy settings file looked for in the content root, as the CLI looks in its working directory.</summary>
    public const string DefaultPolicyFileName = "platform.policies.yaml";

    /// <summary>The policy settings file, when configured or present.</summary>
    public string? PolicyFile { get; }

    /// <summary>Whether the policy settings file was configured explicitly (and so must exist).</summary>
    public bool PolicyFileRequired { get; }

    /// <summary>The local directory of a <c>file://</c> backend, or <see langword="null"/> for any other backend.</summary>
    public string? LocalBackendDirectory =>
        BackendUrl.StartsWith("file://", StringComparison.OrdinalIgnoreCase) ? new Uri(BackendUrl).LocalPath : null;

    /// <summary>A throw-away workspace for one operation (a preview), deleted when it ends.</summary>
    public string ScratchWorkspace(string operationId) => Path.Combine(DataDirectory, "scratch", operationId);

    /// <summary>The workspace of one environment.</summary>
    public string Workspace(string environment) => Path.Combine(WorkspacesDirectory, environment);

    /// <summary>Creates the directories the service writes to, readable by the owner only.</summary>
    public void EnsureCreated()
    {
        foreach (var directory in new[] { DataDirectory, WorkspacesDirectory, LogsDirectory, LocalBackendDirectory })
        {
            if (directory is null)
            {
                continue;
            }

            Directory.CreateDirectory(directory);
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(directory, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
            }
        }
    }
}
