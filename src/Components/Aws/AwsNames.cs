using System.Text;
using Platform.Components.Planning;

namespace Platform.Components.Aws;

/// <summary>
/// Logical and physical names of the AWS golden paths. Physical names start with the environment's name, so two
/// environments in one account never collide, and fit each service's naming rules.
/// </summary>
internal static class AwsNames
{
    /// <summary>The longest S3 <c>bucketPrefix</c> (the provider appends a 26-character unique suffix).</summary>
    public const int BucketPrefixLimit = 37;

    // Logical names (the contract other golden paths and tests rely on).
    public static string SubnetGroup(string database) => $"{database}-subnet-group";

    public static string SecurityGroup(string database) => $"{database}-security-group";

    public static string Password(string database) => $"{database}-password";

    public static string Instance(string database) => $"{database}-instance";

    public static string Bucket(string bucket) => $"{bucket}-bucket";

    public static string PublicAccessBlock(string bucket) => $"{bucket}-public-access-block";

    public static string Encryption(string bucket) => $"{bucket}-encryption";

    public static string Ownership(string bucket) => $"{bucket}-ownership";

    public static string Versioning(string bucket) => $"{bucket}-versioning";

    public static string Lifecycle(string bucket) => $"{bucket}-lifecycle";

    public static string Queue(string queue) => $"{queue}-queue";

    public static string DeadLetterQueue(string queue) => $"{queue}-dlq";

    public static string RolePolicy(string service) => $"{service}-role-policy";

    /// <summary>
    /// An RDS instance identifier: letters, digits and single hyphens, starting with a letter, not ending with a
    /// hyphen, at most 63 characters (RDS rejects anything else).
    /// </summary>
    public static string RdsIdentifier(string environment, string database)
    {
        var joined = CollapseHyphens($"{environment}-{database}".ToLowerInvariant());
        if (!char.IsAsciiLetter(joined[0]))
        {
            joined = "db-" + joined;
        }

        return PhysicalName.Create(PhysicalName.RdsIdentifier, joined);
    }

    /// <summary>The final snapshot's identifier (same rules as instance identifiers, at most 255 characters).</summary>
    public static string FinalSnapshot(string identifier) => PhysicalName.Create(255, identifier, "final");

    /// <summary>The database created in the instance: letters, digits and underscores, starting with a letter.</summary>
    public static string DatabaseName(string database)
    {
        var builder = new StringBuilder();
        foreach (var c in database.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var name = builder.ToString();
        name = char.IsAsciiLetter(name[0]) ? name : "db_" + name;
        return name.Length <= 63 ? name : name[..63];
    }

    /// <summary>The bucket name prefix; S3 adds a unique suffix, so a name taken in another account never blocks a deploy.</summary>
    public static string BucketPrefix(string environment, string bucket) =>
        PhysicalName.Create(BucketPrefixLimit - 1, environment, bucket) + "-";

    /// <summary>A queue name (FIFO queues end with <c>.fifo</c>), at most 80 characters.</summary>
    public static string QueueName(string environment, string queue, bool fifo, string suffix = "")
    {
        const string FifoSuffix = ".fifo";
        var limit = PhysicalName.SqsQueue - (fifo ? FifoSuffix.Length : 0);
        return PhysicalName.Create(limit, environment, queue, suffix) + (fifo ? FifoSuffix : "");
    }

    /// <summary>An IAM role name (at most 64 characters).</summary>
    public static string RoleName(string environment, string service) => PhysicalName.Create(PhysicalName.IamRole, environment, service);

    /// <summary>A security group name; EC2 reserves names starting with <c>sg-</c>.</summary>
    public static string SecurityGroupName(string environment, string database)
    {
        var name = PhysicalName.Create(PhysicalName.SecurityGroup, environment, database, "postgres");
        return name.StartsWith("sg-", StringComparison.Ordinal) ? PhysicalName.Create(PhysicalName.SecurityGroup, "db", name) : name;
    }

    /// <summary>A DB subnet group name: lower-case letters, digits and hyphens, at most 255 characters.</summary>
    public static string SubnetGroupName(string environment, string database) => PhysicalName.Create(255, environment, database);

    private static string CollapseHyphens(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '-' && builder.Length > 0 && builder[^1] == '-')
            {
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString().Trim('-');
    }
}
