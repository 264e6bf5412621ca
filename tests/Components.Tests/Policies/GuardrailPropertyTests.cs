using CsCheck;
using Platform.Components.Aws;
using Platform.Components.Costs;
using Platform.Components.Costs.Prices;
using Platform.Components.Policies;
using Platform.Components.Resources.Bucket;
using Platform.Components.Resources.Postgres;
using Platform.Components.Tests.Aws;
using Platform.Components.Tests.SpecDocuments;

namespace Platform.Components.Tests.Policies;

public sealed class GuardrailPropertyTests
{
    [Fact]
    public void Every_valid_spec_compiles_to_a_plan_that_passes_the_guardrails_and_has_a_consistent_estimate()
    {
        var prices = PriceTable.Load();
        SpecPropertyTests.ValidSpec.Sample(spec =>
        {
            var plan = AwsPlans.Compile(spec);
            var report = PolicyEngine.Evaluate(plan);
            Assert.True(report.Violations.IsEmpty, report.ToString());

            var estimate = CostEstimator.Estimate(plan, prices);
            Assert.Equal(estimate.Resources.Sum(r => r.Monthly), estimate.MonthlyTotal);
            Assert.Equal(estimate.MonthlyTotal, estimate.Components.Sum(c => c.Monthly));
            Assert.All(estimate.Resources, r => Assert.True(r.Monthly >= 0));
        }, iter: 200);
    }

    [Fact]
    public void Rds_identifiers_are_valid_for_any_dns_names()
    {
        var label = Gen.String[Gen.Char["abcxyz0189-"], 1, 63].Where(s => s[0] != '-' && s[^1] != '-');
        Gen.Select(label, label).Sample((environment, database) =>
        {
            var identifier = PostgresNames.RdsIdentifier(environment, database);
            Assert.InRange(identifier.Length, 1, 63);
            Assert.Matches("^[a-z](?!.*--)[a-z0-9-]*[a-z0-9]$", identifier);
            Assert.Matches("^[a-z][a-z0-9_]*$", PostgresNames.DatabaseName(database));
            Assert.InRange(BucketNames.BucketPrefix(environment, database).Length, 2, BucketNames.BucketPrefixLimit);
        }, iter: 2000);
    }
}
