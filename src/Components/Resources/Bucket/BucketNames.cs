using Platform.Components.Planning;

namespace Platform.Components.Resources.Bucket;

/// <summary>
/// Logical and physical names of a <c>bucket</c>'s resources. Physical names start with the environment's name, so
/// two environments in one account never collide, and fit S3's naming rules.
/// </summary>
internal static class BucketNames
{
    /// <summary>The longest S3 <c>bucketPrefix</c> (the provider appends a 26-character unique suffix).</summary>
    public const int BucketPrefixLimit = 37;

    // Logical names (the contract other golden paths and tests rely on).
    public static string Bucket(string bucket) => $"{bucket}-bucket";

    public static string PublicAccessBlock(string bucket) => $"{bucket}-public-access-block";

    public static string Encryption(string bucket) => $"{bucket}-encryption";

    public static string Ownership(string bucket) => $"{bucket}-ownership";

    public static string Versioning(string bucket) => $"{bucket}-versioning";

    public static string Lifecycle(string bucket) => $"{bucket}-lifecycle";

    /// <summary>
    /// The bucket name prefix; S3 adds a unique suffix, so a name taken in another account never blocks a deploy. A
    /// name S3 reserves the start of (an environment called <c>sthree-…</c> or <c>amzn-s3-demo-…</c>) gets <c>b-</c> in
    /// front: such a bucket could never be created, so no existing bucket is renamed by it.
    /// </summary>
    public static string BucketPrefix(string environment, string bucket)
    {
        var prefix = PhysicalName.Create(BucketPrefixLimit - 1, environment, bucket);
        return (ReservedStarts.Any(r => prefix.StartsWith(r, StringComparison.Ordinal)) ? PhysicalName.Create(BucketPrefixLimit - 1, "b", prefix) : prefix) + "-";
    }

    // General purpose bucket naming rules (Amazon S3 User Guide): names must not start with these. ("xn--" cannot
    // occur: spec names have no double hyphen.)
    private static readonly string[] ReservedStarts = ["xn--", "sthree-", "amzn-s3-demo-"];
}
