using Platform.Components.Planning;

namespace Platform.Components.Aws;

/// <summary>
/// Identifiers of the final snapshots AWS takes when a prod database or cache is deleted:
/// <c>{stem}-final-{8 hex digits}</c>, the digits a <c>random:index/randomId:RandomId</c> made once per resource
/// lifetime. A fixed <c>{stem}-final</c> made the second destroy of an environment recreated under the same name fail
/// (RDS <c>DBSnapshotAlreadyExists</c>, ElastiCache <c>SnapshotAlreadyExistsFault</c>: the first snapshot is kept on
/// purpose) and left the database behind.
/// </summary>
/// <remarks>
/// The suffix is stable across updates: the Random provider makes it on create and replaces it only when
/// <c>byteLength</c>, <c>prefix</c> or <c>keepers</c> change (hashicorp/terraform-provider-random
/// internal/provider/resource_id.go: RequiresReplace on each; <c>hex</c> is the bytes' lower-case hex, twice
/// <c>byteLength</c> long, after the prefix). Changing the identifier of an existing instance or replication group
/// replaces nothing: <c>final_snapshot_identifier</c> is neither ForceNew on <c>aws_db_instance</c> nor on
/// <c>aws_elasticache_replication_group</c> (hashicorp/terraform-provider-aws internal/service/rds/instance.go and
/// internal/service/elasticache/replication_group.go), and RDS's update leaves it out of ModifyDBInstance
/// (<c>HasChangesExcept(…, "final_snapshot_identifier", …)</c> in resourceInstanceUpdate): it is read at delete time only.
/// </remarks>
internal static class FinalSnapshots
{
    /// <summary>Random bytes in the suffix: 4, so 8 hex digits (one in 4 billion for two lifetimes to meet).</summary>
    public const int SuffixBytes = 4;

    /// <summary>The longest snapshot identifier RDS accepts (DBSnapshotIdentifier: 1 to 255 characters).</summary>
    public const int MaxLength = 255;

    /// <summary>Logical name of a resource's suffix generator.</summary>
    public static string Suffix(string resource) => $"{resource}-final-snapshot-suffix";

    /// <summary>Plans the suffix generator of <paramref name="resource"/> (a component's name) in its component.</summary>
    public static void PlanSuffix(PlanContext context, string resource) =>
        context.Builder.Add(Suffix(resource), AwsTypes.RandomId, AwsInputs.Map(("byteLength", SuffixBytes)), resource,
            PlanResourceOptions.WithProvider(LogicalNames.RandomProvider));

    /// <summary>
    /// The identifier: <c>{stem}-final-</c> then the suffix's hex. The stem (an instance identifier or replication
    /// group id) starts with a letter and has only lower-case letters, digits and single inner hyphens, so the result
    /// keeps RDS's rules (a letter first, letters, digits and hyphens, no <c>--</c>, no trailing hyphen; checked by
    /// the provider's validation of final_snapshot_identifier) and fits <see cref="MaxLength"/>.
    /// </summary>
    public static PlanValue Identifier(string stem, string resource) => PlanValue.Concat(
        PhysicalName.Create(MaxLength - (SuffixBytes * 2) - 1, stem, "final") + "-",
        PlanValue.Ref(Suffix(resource), "hex"));
}
