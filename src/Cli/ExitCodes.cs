namespace Platform.Cli;

/// <summary>The CLI's exit codes.</summary>
internal static class ExitCodes
{
    /// <summary>Success.</summary>
    public const int Ok = 0;

    /// <summary>The spec is invalid (every error is listed on stderr) or violates a blocking policy.</summary>
    public const int Invalid = 1;

    /// <summary>Bad arguments, or a file that cannot be read or written.</summary>
    public const int Usage = 2;

    /// <summary>A bug in Platform: the message is printed, never a stack trace.</summary>
    public const int Internal = 3;

    /// <summary><c>deploy</c>: the rollout failed, was cancelled or timed out, or the service could not be reached.</summary>
    public const int DeployFailed = 4;

    /// <summary>
    /// The client commands (<c>env</c>, <c>keys</c>, <c>catalog</c>, <c>costs</c>): the operation followed failed or was
    /// cancelled, or the service failed (5xx) or could not be reached. (A refused request, 4xx, is <see cref="Invalid"/>.)
    /// </summary>
    public const int OperationFailed = DeployFailed;

    /// <summary><c>db migrate</c>: the database could not be reached, or a migration failed.</summary>
    public const int MigrationFailed = DeployFailed;
}

/// <summary>A problem with the command line or a file, reported as one line on stderr with exit code 2.</summary>
internal sealed class UsageException(string message) : Exception(message);
