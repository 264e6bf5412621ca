using Platform.Components.Planning;
using Platform.Components.Rendering;

namespace Platform.Components.Tests.Planning;

/// <summary>An IAM statement's policy document: made once per statement, never carried over to a copy.</summary>
public sealed class IamStatementTests
{
    private static readonly IamStatement Objects =
        new("OrdersObjects", ["s3:GetObject", "s3:PutObject"], "arn:aws:s3:::orders/*");

    [Fact]
    public void The_document_holds_the_statement_in_iam_policy_order_and_is_made_once()
    {
        var document = Objects.Document;

        Assert.Equal(
            """{"Sid":"OrdersObjects","Effect":"Allow","Action":["s3:GetObject","s3:PutObject"],"Resource":"arn:aws:s3:::orders/*"}""",
            PlanJson.Value(document)!.ToJsonString());
        Assert.Same(document, Objects.Document);
    }

    [Fact]
    public void A_copy_with_other_members_has_their_document_and_equality_ignores_whether_it_was_read()
    {
        _ = Objects.Document;
        var list = Objects with { Sid = "OrdersList", Actions = ["s3:ListBucket"] };

        Assert.Equal("""{"Sid":"OrdersList","Effect":"Allow","Action":["s3:ListBucket"],"Resource":"arn:aws:s3:::orders/*"}""",
            PlanJson.Value(list.Document)!.ToJsonString());
        var unread = new IamStatement(Objects.Sid, Objects.Actions, Objects.Resource);
        Assert.Equal(Objects, unread);
        Assert.Equal(Objects.GetHashCode(), unread.GetHashCode());
        Assert.NotEqual(Objects, list);
    }
}
