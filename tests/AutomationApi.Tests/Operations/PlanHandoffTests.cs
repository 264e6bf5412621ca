using Microsoft.Extensions.Time.Testing;
using Platform.AutomationApi.Environments;
using Platform.AutomationApi.Operations;
using Platform.AutomationApi.Tests.Infrastructure;
using Platform.Components;
using Platform.Components.Targets;

namespace Platform.AutomationApi.Tests.Operations;

/// <summary>Issue 14: the plan a request's checks compiled is handed to its operation once, within bounds.</summary>
public sealed class PlanHandoffTests
{
    private static readonly SpecInspection Deployable =
        EnvironmentPipeline.Inspect(EnvironmentCompiler.Parse(Specs.Dev("handed-dev")).Spec!, TargetSettings.Default);

    [Fact]
    public void A_plan_is_taken_once_and_only_a_deployable_one_is_kept()
    {
        var plans = new PlanHandoff(new FakeTimeProvider());
        Assert.True(Deployable.Errors.IsEmpty);
        Assert.NotNull(Deployable.Plan);

        plans.Offer("op_a", Deployable);
        plans.Offer("op_refused", Deployable with { Errors = [new("spec.target", "refused", "fix")] });

        Assert.Same(Deployable, plans.Take("op_a"));
        Assert.Null(plans.Take("op_a"));
        Assert.Null(plans.Take("op_refused"));
        Assert.Equal(0, plans.Count);
    }

    [Fact]
    public void Past_its_capacity_nothing_more_is_kept_until_old_plans_age_out()
    {
        var time = new FakeTimeProvider();
        var plans = new PlanHandoff(time);
        for (var i = 0; i < PlanHandoff.Capacity + 5; i++)
        {
            plans.Offer($"op_{i}", Deployable);
        }

        Assert.Equal(PlanHandoff.Capacity, plans.Count);
        Assert.Null(plans.Take($"op_{PlanHandoff.Capacity}"));

        // Plans no operation came for (claimed by another replica, cancelled) make room once they are too old.
        time.Advance(PlanHandoff.MaxAge + TimeSpan.FromSeconds(1));
        plans.Offer("op_new", Deployable);
        Assert.Equal(1, plans.Count);
        Assert.Null(plans.Take("op_0"));
        Assert.Same(Deployable, plans.Take("op_new"));
    }
}
