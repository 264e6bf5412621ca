namespace Platform.Components.Aws;

/// <summary>
/// Pulumi type tokens of the AWS (provider 7.x) and Random resources the AWS golden paths create (each kind's component type is
/// its own: <see cref="Resources.ResourceKind.ComponentType"/>). Every token and property name was read from the provider's published schema.
/// </summary>
public static class AwsTypes
{
    /// <summary>RDS DB instance.</summary>
    public const string DbInstance = "aws:rds/instance:Instance";

    /// <summary>RDS DB subnet group.</summary>
    public const string DbSubnetGroup = "aws:rds/subnetGroup:SubnetGroup";

    /// <summary>EC2 (VPC) security group.</summary>
    public const string SecurityGroup = "aws:ec2/securityGroup:SecurityGroup";

    /// <summary>S3 bucket (v7 renamed <c>BucketV2</c> to <c>Bucket</c>).</summary>
    public const string Bucket = "aws:s3/bucket:Bucket";

    /// <summary>S3 bucket public access block.</summary>
    public const string BucketPublicAccessBlock = "aws:s3/bucketPublicAccessBlock:BucketPublicAccessBlock";

    /// <summary>S3 bucket default encryption.</summary>
    public const string BucketEncryption = "aws:s3/bucketServerSideEncryptionConfiguration:BucketServerSideEncryptionConfiguration";

    /// <summary>S3 bucket object ownership controls.</summary>
    public const string BucketOwnershipControls = "aws:s3/bucketOwnershipControls:BucketOwnershipControls";

    /// <summary>S3 bucket versioning.</summary>
    public const string BucketVersioning = "aws:s3/bucketVersioning:BucketVersioning";

    /// <summary>S3 bucket lifecycle rules.</summary>
    public const string BucketLifecycle = "aws:s3/bucketLifecycleConfiguration:BucketLifecycleConfiguration";

    /// <summary>SQS queue.</summary>
    public const string Queue = "aws:sqs/queue:Queue";

    /// <summary>IAM role.</summary>
    public const string Role = "aws:iam/role:Role";

    /// <summary>IAM role inline policy.</summary>
    public const string RolePolicy = "aws:iam/rolePolicy:RolePolicy";

    /// <summary>CloudWatch Logs log group.</summary>
    public const string LogGroup = "aws:cloudwatch/logGroup:LogGroup";

    /// <summary>Random provider's password (its <c>result</c> output is secret).</summary>
    public const string RandomPassword = "random:index/randomPassword:RandomPassword";

    /// <summary>Random provider's id (<c>byteLength</c> random bytes; <c>hex</c> is them in lower-case hex).</summary>
    public const string RandomId = "random:index/randomId:RandomId";
}
