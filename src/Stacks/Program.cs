using Platform.Stacks;
using Pulumi;

return await Deployment.RunAsync(() => PlatformStack.Create(new Config(), PlatformStack.ProjectRoot()));
