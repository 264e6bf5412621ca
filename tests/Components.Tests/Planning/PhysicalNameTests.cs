using Platform.Components.Planning;

namespace Platform.Components.Tests.Planning;

public sealed class PhysicalNameTests
{
    [Fact]
    public void Short_names_are_joined_and_lower_cased()
    {
        Assert.Equal("checkout-staging-orders-db", PhysicalName.Create(63, "checkout-staging", "Orders-DB"));
    }

    [Fact]
    public void Long_names_are_truncated_with_a_stable_hash_and_fit_the_limit()
    {
        var a = PhysicalName.Create(63, new string('a', 50), new string('b', 30));
        var b = PhysicalName.Create(63, new string('a', 50), new string('b', 29) + "c");
        Assert.Equal(63, a.Length);
        Assert.Equal(a, PhysicalName.Create(63, new string('a', 50), new string('b', 30)));
        Assert.NotEqual(a, b);
        Assert.Matches("^a+-b+-[0-9a-f]{7}$", a);
    }
}
