using Platform.AutomationApi.Engine;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Storage;

namespace Platform.AutomationApi.Operations;

/// <summary>
/// Clears the stack lock a replica left behind when it stopped mid-operation, once another replica (or the same one,
/// restarted) has taken the operation over (<see cref="OperationLeases.TakeOverAbandonedAsync"/>). The lease is the
/// authority: operations of one environment never run at once, so the lock can only be the stopped replica's,
/// whichever host it ran on — a lock the plain rule (a dead process on this host) would leave in place for ever,
/// since no process on this host can vouch for another host's. Only a live process on this host keeps its lock.
/// </summary>
public sealed class TakenOverStackLocks(
    IStackEngine engine,
    EnvironmentCompiler compiler,
    SpecProtector protector,
    ILogger<TakenOverStackLocks> logger)
{
    /// <summary>
    /// Clears the locks on <paramref name="environment"/>'s stack by <see cref="StaleLockRule.Lease"/>; returns them.
    /// A replica that never ran the environment (or lost its disk) has no project to name the stack by, which
    /// <c>pulumi cancel</c> needs: it renders one from the stored spec into a scratch workspace, deleted afterwards,
    /// so the environment's own workspace stays as the operations left it.
    /// </summary>
    /// <param name="environment">The environment of the operation taken over.</param>
    /// <param name="operationId">The operation taken over (names the scratch workspace).</param>
    /// <param name="cancellationToken">Interrupts the engine.</param>
    public async Task<IReadOnlyList<StackLock>> ClearAsync(EnvironmentRecord environment, string operationId, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(environment);
        var workspace = engine.OpenWorkspace(environment.Name, null);
        try
        {
            if (!engine.HasProgram(workspace))
            {
                // As destroy and refresh do: the spec compiled without the gates that guard new deployments.
                if (compiler.CompileDeployed(protector.Unprotect(environment.SpecText)!).Environment is not { } compiled)
                {
                    logger.LogWarning("Cannot clear the stale lock on stack {Stack}: its stored spec no longer compiles", environment.Name);
                    return [];
                }

                workspace = engine.OpenWorkspace(environment.Name, "recovery-" + operationId);
                engine.WriteProgram(workspace, compiled.Program);
            }

            return await engine.ClearStaleLocksAsync(workspace, [], StaleLockRule.Lease, cancellationToken);
        }
        catch (EngineNotFoundException ex)
        {
            logger.LogError(ex, "Cannot clear the stale lock on stack {Stack}: the engine is missing", environment.Name);
            return [];
        }
        finally
        {
            engine.CloseWorkspace(workspace, succeeded: false);
        }
    }
}
