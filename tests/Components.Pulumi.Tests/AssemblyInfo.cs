// Pulumi's test deployment is process-wide state (Deployment.Instance, PULUMI_CONFIG): tests must run one at a time.
[assembly: CollectionBehavior(DisableTestParallelization = true)]
