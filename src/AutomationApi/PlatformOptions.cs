namespace Platform.AutomationApi;

/// <summary>
/// Settings of the Automation API, bound from the <c>Platform</c> configuration section (environment variables
/// <c>Platform__DataDirectory</c> and so on); <c>PLATFORM_DATA_DIR</c> also sets <see cref="DataDirectory"/>.
/// Every setting has a default, so the service runs with no configuration at all.
/// </summary>
public sealed class PlatformOptions
{
    /// <summary>The configuration section name.</summary>
    public const string SectionName = "Platform";

    /// <summary>
    /// Directory for the database, the passphrase, workspaces and the default backend.
    /// </summary>
    /// <value>The default is <c>.data</c> under the content root (relative paths are resolved against it).</value>
    public string DataDirectory { get; set; } = ".data";

    /// <summary>The pulumi executable.</summary>
    /// <value>The default is <c>pulumi</c>, looked up on <c>PATH</c>.</value>
    public string PulumiPath { get; set; } = "pulumi";

    /// <summary>
    /// Pulumi backend URL, handed to the CLI as <c>PULUMI_BACKEND_URL</c> exactly as written: a shared one for
    /// several replicas, e.g. <c>s3://bucket/prefix?region=eu-west-1</c>, <c>azblob://container</c>,
    /// <c>gs://bucket</c>, <c>file:///shared/dir</c>, or <c>https://api.pulumi.com</c> (Pulumi Cloud, with
    /// <c>PULUMI_ACCESS_TOKEN</c> in the service's environment, from a secret store; the CLI inherits the service's
    /// environment, cloud credentials included).
    /// </summary>
    /// <value>The default is the local file backend in <c>backend</c> under the data directory (one machine only).</value>
    public string? BackendUrl { get; set; }

    /// <summary>
    /// Passphrase of the stacks' passphrase secrets provider, which also encrypts stored specs. Replicas sharing one
    /// database must all have the same one: set it from a secret store (environment variable
    /// <c>Platform__Passphrase</c>, or Pulumi's own <c>PULUMI_CONFIG_PASSPHRASE</c>). Never logged or returned.
    /// </summary>
    /// <value>The default is none: one is generated on first start and kept in <c>passphrase</c> in the data directory.</value>
    public string? Passphrase { get; set; }

    /// <summary>
    /// The secrets provider new stacks are created with (<c>pulumi stack select --create --secrets-provider</c>):
    /// <c>passphrase</c> (with <see cref="Passphrase"/>), or a cloud KMS key URL such as
    /// <c>awskms://alias/platform-state?region=eu-west-1</c>, <c>azurekeyvault://…</c>, <c>gcpkms://…</c> or
    /// <c>hashivault://…</c>, passed to the CLI as written. Existing stacks keep the provider they were created with.
    /// </summary>
    /// <value>The default is <c>passphrase</c>.</value>
    public string SecretsProvider { get; set; } = "passphrase";

    /// <summary>
    /// Deployment targets file (YAML or JSON), the same file the CLI reads.
    /// </summary>
    /// <value>The default is the file named by <c>PLATFORM_TARGETS</c>, else <c>platform.targets.yaml</c> in the
    /// content root when present, else none: only the zero-configuration <c>default</c> target.</value>
    public string? TargetsFile { get; set; }

    /// <summary>
    /// Guardrail policy settings file (which advisory rules are off per tier), the same file the CLI reads.
    /// </summary>
    /// <value>The default is the file named by <c>PLATFORM_POLICIES</c>, else <c>platform.policies.yaml</c> in the
    /// content root when present, else none: the built-in settings.</value>
    public string? PolicyFile { get; set; }

    /// <summary>
    /// Operations this replica runs at once across all environments. The limit is per replica: N replicas on one
    /// database run up to N times this many (each operation on exactly one of them).
    /// </summary>
    /// <value>The default is 4.</value>
    public int MaxConcurrentOperations { get; set; } = 4;

    /// <summary>Timeout of create, update and destroy operations.</summary>
    /// <value>The default is 30 minutes.</value>
    public TimeSpan DeployTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>Timeout of preview and refresh operations.</summary>
    /// <value>The default is 10 minutes.</value>
    public TimeSpan InspectTimeout { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long an interrupted engine (cancel, timeout, shutdown) gets to finish its in-flight resource operations
    /// before it is killed. Generous on purpose: killing an engine mid-create (an RDS instance takes many minutes)
    /// orphans the resource. The host's shutdown timeout is raised to match.
    /// </summary>
    /// <value>The default is 1 hour.</value>
    public TimeSpan CancelGracePeriod { get; set; } = TimeSpan.FromHours(1);

    /// <summary>How often the worker looks for queued operations without being signalled.</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan WorkerPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How often an operation's event stream looks for new events when nothing woke it. Streams are woken when an
    /// event is stored (in this process, and on PostgreSQL by <c>LISTEN/NOTIFY</c> from any replica), so this only
    /// bounds the delay a lost wake-up adds.
    /// </summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan EventPollInterval { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>How often the reaper looks for expired environments.</summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan ReaperInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long the reaper leaves an expired environment alone after a destroy of it failed, so a destroy that keeps
    /// failing is retried now and then instead of every sweep.
    /// </summary>
    /// <value>The default is 1 hour.</value>
    public TimeSpan ReaperFailureBackoff { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Retries of a transiently failed engine command.</summary>
    /// <value>The default is 3.</value>
    public int EngineRetries { get; set; } = 3;

    /// <summary>Base delay of the exponential retry backoff (with jitter).</summary>
    /// <value>The default is 2 seconds.</value>
    public TimeSpan EngineRetryDelay { get; set; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// Engine commands a deployment target must have run in the last five minutes before its circuit may open; it
    /// opens when at least half of them failed for engine reasons (network, plugins, crashes, credentials).
    /// </summary>
    /// <value>The default is 5.</value>
    public int CircuitBreakerFailures { get; set; } = 5;

    /// <summary>How long an open circuit rejects operations.</summary>
    /// <value>The default is 1 minute.</value>
    public TimeSpan CircuitBreakDuration { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>
    /// How long an <c>Idempotency-Key</c> is remembered: a repeat within it replays the first answer; after it the key
    /// is free again (a request with it is a new request), and the cleanup job deletes it.
    /// </summary>
    /// <value>The default is 24 hours.</value>
    public TimeSpan IdempotencyKeyRetention { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How often expired idempotency keys are deleted (by every replica; deleting twice is harmless).</summary>
    /// <value>The default is 1 hour.</value>
    public TimeSpan IdempotencyKeyCleanupInterval { get; set; } = TimeSpan.FromHours(1);

    /// <summary>Page size of list endpoints when the caller names none.</summary>
    /// <value>The default is 50 (maximum 200).</value>
    public int DefaultPageSize { get; set; } = 50;

    /// <summary>Per-request and per-environment limits (section <c>Platform:Limits</c>).</summary>
    /// <value>The defaults are those of <see cref="PlatformLimits"/>.</value>
    public PlatformLimits Limits { get; set; } = new();

    /// <summary>How replicas sharing one PostgreSQL database divide the work (section <c>Platform:Replicas</c>).</summary>
    /// <value>The defaults are those of <see cref="PlatformReplicaOptions"/>.</value>
    public PlatformReplicaOptions Replicas { get; set; } = new();

    /// <summary>The cache of environment reads (section <c>Platform:ReadCache</c>).</summary>
    /// <value>The defaults are those of <see cref="Apis.PlatformReadCacheOptions"/>.</value>
    public Apis.PlatformReadCacheOptions ReadCache { get; set; } = new();

    /// <summary>Where the service keeps its state (section <c>Platform:Database</c>).</summary>
    /// <value>The default is the embedded SQLite file in the data directory.</value>
    public PlatformDatabaseOptions Database { get; set; } = new();
}

/// <summary>
/// The database of environments, operations, events and idempotency keys, bound from <c>Platform:Database</c>
/// (environment variables <c>Platform__Database__Provider</c> and <c>Platform__Database__ConnectionString</c>).
/// </summary>
public sealed class PlatformDatabaseOptions
{
    /// <summary>The <see cref="Provider"/> value for the embedded SQLite file.</summary>
    public const string Sqlite = "sqlite";

    /// <summary>The <see cref="Provider"/> value for a PostgreSQL server.</summary>
    public const string Postgres = "postgres";

    /// <summary>
    /// <c>sqlite</c> (a file in the data directory, for a single host) or <c>postgres</c> (a server, for shared
    /// infrastructure), case-insensitive.
    /// </summary>
    /// <value>The default is <c>sqlite</c>.</value>
    public string Provider { get; init; } = Sqlite;

    /// <summary>
    /// Npgsql connection string of the PostgreSQL database (<c>Host=...;Database=...;Username=...;Password=...</c>),
    /// required when <see cref="Provider"/> is <c>postgres</c> and ignored otherwise. The database is created when
    /// missing (the role then needs <c>CREATEDB</c>); its schema is migrated on start (see <see cref="MigrateOnStart"/>).
    /// </summary>
    /// <value>The default is none.</value>
    public string? ConnectionString { get; init; }

    /// <summary>
    /// Whether the service applies pending schema migrations when it starts (under a database lock, so replicas
    /// starting together apply each once). Operators who change schemas only by hand set it to <see langword="false"/>
    /// and run <c>platform db migrate</c> (or <c>Platform.AutomationApi db migrate</c>); the service then refuses to start on an outdated schema.
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool MigrateOnStart { get; init; } = true;

    /// <summary>Whether the state lives in PostgreSQL.</summary>
    public bool IsPostgres => string.Equals(Provider?.Trim(), Postgres, StringComparison.OrdinalIgnoreCase);
}

/// <summary>
/// Leases by which replicas on one database share the operations, bound from <c>Platform:Replicas</c> (environment
/// variables such as <c>Platform__Replicas__Id</c>). A replica claims a queued operation in the database, holds its
/// lease while it runs (renewing it every <see cref="HeartbeatInterval"/>), and a replica whose lease ran out (it died
/// or lost the database) loses the operation: another one recovers it as start-up recovery would.
/// </summary>
public sealed class PlatformReplicaOptions
{
    /// <summary>
    /// This replica's name in leases, unique among the replicas on one database. A stable name (a pod name of a
    /// StatefulSet, a host name) lets a restarted replica recover its own interrupted operations at once, without
    /// waiting for their leases to run out. Never give two running replicas the same name.
    /// </summary>
    /// <value>The default is <c>&lt;machine name&gt;-&lt;process id&gt;</c>, unique among live processes.</value>
    public string? Id { get; set; }

    /// <summary>
    /// How long a lease lasts without renewal: how soon after a replica dies another one recovers its operations.
    /// Longer than <see cref="HeartbeatInterval"/> several times over, so a slow database round trip does not lose it.
    /// </summary>
    /// <value>The default is 30 seconds.</value>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How often a running operation's lease is renewed; also how soon a cancel request made on another replica
    /// reaches the engine running it.
    /// </summary>
    /// <value>The default is 5 seconds.</value>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>
    /// Whether replicas on PostgreSQL wake each other with <c>LISTEN/NOTIFY</c> (one extra connection per replica):
    /// an event stored or an operation queued on one replica wakes event streams and the worker on every other at
    /// once. Off, they find new work and events by polling (<see cref="PlatformOptions.WorkerPollInterval"/>,
    /// <see cref="PlatformOptions.EventPollInterval"/>); turn it off behind a pooler that cannot hold a session's
    /// <c>LISTEN</c> (PgBouncer in transaction mode).
    /// </summary>
    /// <value>The default is <see langword="true"/>.</value>
    public bool ListenNotify { get; set; } = true;
}

/// <summary>
/// What one request or environment may ask of the service, bound from <c>Platform:Limits</c> (environment variables
/// such as <c>Platform__Limits__MaxServices</c>). Checked before any spec is compiled, so an oversized request costs
/// a read, not a compilation.
/// </summary>
public sealed class PlatformLimits
{
    /// <summary>Largest request body, in bytes; a larger one is answered <c>413</c> without being read further.</summary>
    /// <value>The default is 1 MiB (1,048,576 bytes): a spec at the service and resource limits is well under 100 KB.</value>
    public long MaxRequestBodyBytes { get; set; } = 1024 * 1024;

    /// <summary>Most services one environment may declare.</summary>
    /// <value>The default is 200.</value>
    public int MaxServices { get; set; } = 200;

    /// <summary>Most resources (databases, buckets, queues) one environment may declare.</summary>
    /// <value>The default is 100.</value>
    public int MaxResources { get; set; } = 100;
}
