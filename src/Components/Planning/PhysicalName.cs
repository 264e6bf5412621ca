using System.Security.Cryptography;
using System.Text;

namespace Platform.Components.Planning;

/// <summary>
/// Deterministic physical names that fit each system's limits: parts joined with '-', lower-cased and, when too
/// long, truncated with a short stable hash of the full name so two long names never collide.
/// </summary>
internal static class PhysicalName
{
    /// <summary>Kubernetes object names (DNS-1123 label).</summary>
    public const int KubernetesLabel = 63;

    /// <summary>RDS DB instance identifiers.</summary>
    public const int RdsIdentifier = 63;

    /// <summary>S3 bucket names.</summary>
    public const int S3Bucket = 63;

    /// <summary>SQS queue names (including a <c>.fifo</c> suffix).</summary>
    public const int SqsQueue = 80;

    /// <summary>IAM role names.</summary>
    public const int IamRole = 64;

    /// <summary>Security group names.</summary>
    public const int SecurityGroup = 255;

    private const int HashLength = 7;

    /// <summary>Joins <paramref name="parts"/> and fits the result into <paramref name="maxLength"/> characters.</summary>
    public static string Create(int maxLength, params string[] parts)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxLength, HashLength + 2);
        // Every object of a plan is named here: join without an iterator when no part is empty (the usual case).
        var full = (Array.IndexOf(parts, "") < 0 ? string.Join('-', parts) : string.Join('-', parts.Where(p => p.Length > 0))).ToLowerInvariant();
        if (full.Length <= maxLength)
        {
            return full;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(full)))[..HashLength];
        var head = full[..(maxLength - HashLength - 1)].TrimEnd('-');
        return $"{head}-{hash}";
    }
}
