using Microsoft.Extensions.Options;
using Npgsql;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// On PostgreSQL, holds one dedicated connection that <c>LISTEN</c>s on <see cref="OperationNotification.Channel"/>
/// and hands every wake-up another replica sends (an event stored, an operation queued or finished) to this replica's
/// <see cref="OperationWakeups"/>: its event streams and worker react at once instead of at their next poll. When the
/// connection fails (a restart, a failover, a dropped connection) it reconnects with back-off, and after each
/// (re)connect wakes every waiter once, since notifications sent meanwhile were lost. Does nothing on SQLite (one
/// process: its wake-ups are in-process) or with <see cref="PlatformReplicaOptions.ListenNotify"/> off.
/// </summary>
public sealed class OperationNotificationListener(
    OperationWakeups wakeups,
    IOptions<PlatformOptions> options,
    ILogger<OperationNotificationListener> logger) : BackgroundService
{
    /// <summary>The application name of the listening session (<c>pg_stat_activity.application_name</c>).</summary>
    public const string ApplicationName = "platform-wakeups";

    private const string ListenCommand = "LISTEN " + OperationNotification.Channel;

    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(30);

    private readonly Lock _gate = new();
    private TaskCompletionSource<long> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private long _connections;

    /// <summary>How many times the listener has started listening (its first connection and every reconnect).</summary>
    public long Connections => Interlocked.Read(ref _connections);

    /// <summary>Completes once the listener is listening on a connection made after <paramref name="connections"/> earlier ones.</summary>
    public Task<long> ListeningAsync(long connections = 0)
    {
        lock (_gate)
        {
            return _connections > connections ? Task.FromResult(_connections) : _listening.Task;
        }
    }

    /// <inheritdoc />
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var database = options.Value.Database;
        if (!database.IsPostgres || !options.Value.Replicas.ListenNotify)
        {
            return;
        }

        var connectionString = ListenerConnectionString(database.ConnectionString!);
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await using var connection = new NpgsqlConnection(connectionString);
                connection.Notification += (_, e) => wakeups.Apply(OperationNotification.Parse(e.Payload));
                await connection.OpenAsync(stoppingToken);
                await using (var listen = new NpgsqlCommand(ListenCommand, connection))
                {
                    await listen.ExecuteNonQueryAsync(stoppingToken);
                }

                // Anything stored while this replica was not listening was announced to nobody here.
                wakeups.WakeAll();
                Listening();
                logger.LogInformation("Listening for other replicas' wake-ups on channel {Channel}", OperationNotification.Channel);
                delay = FirstRetryDelay;
                while (true)
                {
                    await connection.WaitAsync(stoppingToken);
                }
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception ex) when (PlatformDatabase.IsFault(ex) || ex is IOException or System.Net.Sockets.SocketException)
            {
                // Streams and the worker fall back to polling meanwhile.
                logger.LogWarning(ex, "Lost the connection that listens for other replicas' wake-ups; reconnecting in {Delay}", delay);
            }

            try
            {
                await Task.Delay(delay, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }
    }

    private void Listening()
    {
        lock (_gate)
        {
            _connections++;
            var listening = _listening;
            _listening = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
            listening.TrySetResult(_connections);
        }
    }

    /// <summary>
    /// The configured connection, outside the pool (a pooled session would keep the <c>LISTEN</c> after it is handed
    /// back), with TCP keepalives so a connection that died silently is noticed.
    /// </summary>
    private static string ListenerConnectionString(string configured)
    {
        var builder = new NpgsqlConnectionStringBuilder(configured)
        {
            Pooling = false,
            ApplicationName = ApplicationName,
        };
        if (builder.KeepAlive == 0)
        {
            builder.KeepAlive = 15;
        }

        return builder.ConnectionString;
    }
}

/// <summary>The wake-up wiring.</summary>
public static class OperationWakeupExtensions
{
    /// <summary>In-process wake-ups after every commit, and on PostgreSQL <c>LISTEN/NOTIFY</c> between replicas.</summary>
    public static IServiceCollection AddOperationWakeups(this IServiceCollection services)
    {
        services.AddSingleton<OperationWakeups>();
        services.AddSingleton<OperationWakeupInterceptor>();
        services.ConfigureDbContext<PlatformDbContext>((provider, db) =>
        {
            var interceptor = provider.GetRequiredService<OperationWakeupInterceptor>();
            db.AddInterceptors(interceptor, interceptor.Transactions);
        });
        services.AddSingleton<OperationNotificationListener>();
        services.AddHostedService(provider => provider.GetRequiredService<OperationNotificationListener>());
        return services;
    }
}
