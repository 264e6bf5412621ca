using Platform.Components.Specs;

namespace Platform.Components.Tests.Specs;

public sealed class SpecLimitsTests
{
    [Fact]
    public void A_spec_within_the_limits_has_no_errors()
    {
        var spec = TestSpecs.CheckoutStaging();

        Assert.Empty(new SpecLimits(spec.Services.Length, spec.Resources.Length).Check(spec));
    }

    [Fact]
    public void Each_limit_exceeded_is_an_error_at_its_list_naming_the_setting()
    {
        var spec = TestSpecs.CheckoutStaging();

        var errors = new SpecLimits(spec.Services.Length - 1, spec.Resources.Length - 1, "Limits:X").Check(spec);

        Assert.Equal(["spec.services", "spec.resources"], errors.Select(e => e.Path));
        Assert.Equal($"{spec.Services.Length} services exceed the limit of {spec.Services.Length - 1} per environment.", errors[0].Message);
        Assert.All(errors, e => Assert.Contains("Limits:X", e.Fix, StringComparison.Ordinal));
    }
}
