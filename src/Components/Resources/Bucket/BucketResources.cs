using Platform.Components.Aws;
using Platform.Components.Kubernetes;
using Platform.Components.Planning;
using Platform.Components.Specs;
using static Platform.Components.Aws.AwsInputs;

namespace Platform.Components.Resources.Bucket;

/// <summary>
/// The <c>bucket</c> golden path: an S3 bucket with all four public-access blocks on, default encryption, ACLs
/// disabled (bucket owner owns every object), versioning in staging and prod, and objects expiring in dev.
/// Each setting is its own resource, as the provider recommends (the bucket's inline settings are deprecated).
/// </summary>
/// <remarks>
/// Bucket names are global across all AWS accounts. Rather than a fixed name that someone else may already own,
/// the bucket gets <c>bucketPrefix</c> (<c>{environment}-{bucket}-</c>) and S3 a unique suffix; services learn the
/// name from the bucket's <see cref="ConnectionConfig"/> (and the <c>{bucket}Bucket</c> output), never by convention.
/// </remarks>
internal static class BucketResources
{
    /// <summary>Days after which incomplete multipart uploads are removed where a lifecycle rule exists.</summary>
    public const int AbortIncompleteUploadDays = 7;

    public static void Plan(PlanContext context, ResourceSpec bucket)
    {
        var builder = context.Builder;
        var profile = BucketTiers.For(context.Spec.Tier);
        var name = bucket.Name;
        builder.AddComponent(name, BucketKind.ComponentToken);

        // Non-prod buckets are emptied on destroy, so an expired environment can be torn down; prod data is kept.
        builder.Add(BucketNames.Bucket(name), AwsTypes.Bucket, Map(
            ("bucketPrefix", BucketNames.BucketPrefix(context.Spec.Name, name)),
            ("forceDestroy", context.Spec.Tier != Tier.Prod),
            ("tags", Tags(context))), name, Options);
        var bucketName = PlanValue.Ref(BucketNames.Bucket(name), "bucket");

        builder.Add(BucketNames.PublicAccessBlock(name), AwsTypes.BucketPublicAccessBlock, Map(
            ("bucket", bucketName),
            ("blockPublicAcls", true),
            ("blockPublicPolicy", true),
            ("ignorePublicAcls", true),
            ("restrictPublicBuckets", true)), name, Options);

        builder.Add(BucketNames.Ownership(name), AwsTypes.BucketOwnershipControls, Map(
            ("bucket", bucketName),
            ("rule", Map(("objectOwnership", "BucketOwnerEnforced")))), name, Options);

        builder.Add(BucketNames.Encryption(name), AwsTypes.BucketEncryption, Map(
            ("bucket", bucketName),
            ("rules", List(Map(("applyServerSideEncryptionByDefault", Map(("sseAlgorithm", "AES256"))))))), name, Options);

        if (profile.Versioning)
        {
            builder.Add(BucketNames.Versioning(name), AwsTypes.BucketVersioning, Map(
                ("bucket", bucketName),
                ("versioningConfiguration", Map(("status", "Enabled")))), name, Options);
        }

        if (profile.ExpirationDays is { } days)
        {
            builder.Add(BucketNames.Lifecycle(name), AwsTypes.BucketLifecycle, Map(
                ("bucket", bucketName),
                ("rules", List(Map(
                    ("id", "expire-objects"),
                    ("status", "Enabled"),
                    // An empty prefix selects every object (an empty filter block makes the provider warn).
                    ("filter", Map(("prefix", string.Empty))),
                    ("expiration", Map(("days", days))),
                    ("abortIncompleteMultipartUpload", Map(("daysAfterInitiation", AbortIncompleteUploadDays))))))), name, Options);
        }

        ConnectionConfig.Plan(context, name,
            ("BUCKET", bucketName),
            ("BUCKET_ARN", PlanValue.Ref(BucketNames.Bucket(name), "arn")));
        builder.AddOutput(Casing.Camel(name) + "Bucket", bucketName, name);
    }
}
