using System.Text;
using Platform.Components.Planning;

namespace Platform.Components.Resources.Postgres;

/// <summary>
/// Logical and physical names of a <c>postgres</c> database's resources. Physical names start with the environment's
/// name, so two environments in one account never collide, and fit RDS's and EC2's naming rules.
/// </summary>
internal static class PostgresNames
{
    // Logical names (the contract other golden paths and tests rely on).
    public static string SubnetGroup(string database) => $"{database}-subnet-group";

    public static string SecurityGroup(string database) => $"{database}-security-group";

    public static string Password(string database) => $"{database}-password";

    public static string Instance(string database) => $"{database}-instance";

    /// <summary>
    /// An RDS instance identifier: letters, digits and single hyphens, starting with a letter, not ending with a
    /// hyphen, at most 63 characters (RDS rejects anything else).
    /// </summary>
    public static string RdsIdentifier(string environment, string database)
    {
        var joined = CollapseHyphens($"{environment}-{database}".ToLowerInvariant());
        if (!char.IsAsciiLetter(joined[0]))
        {
            joined = "db-" + joined;
        }

        return PhysicalName.Create(PhysicalName.RdsIdentifier, joined);
    }

    /// <summary>The database created in the instance: letters, digits and underscores, starting with a letter.</summary>
    public static string DatabaseName(string database)
    {
        var builder = new StringBuilder();
        foreach (var c in database.ToLowerInvariant())
        {
            builder.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
        }

        var name = builder.ToString();
        name = char.IsAsciiLetter(name[0]) ? name : "db_" + name;
        return name.Length <= 63 ? name : name[..63];
    }

    /// <summary>Whether <paramref name="name"/> is a fully reserved PostgreSQL key word, which cannot be an identifier.</summary>
    public static bool IsReservedWord(string name) => ReservedWords.Contains(name);

    // PostgreSQL's RESERVED_KEYWORD and TYPE_FUNC_NAME_KEYWORD entries (src/include/parser/kwlist.h; "reserved" and
    // "reserved (can be function or type)" in the SQL Key Words appendix): neither is a ColId, which CREATE DATABASE
    // takes as its name. system_user is reserved from PostgreSQL 16.
    private static readonly System.Collections.Frozen.FrozenSet<string> ReservedWords = System.Collections.Frozen.FrozenSet.Create(StringComparer.Ordinal,
        "all", "analyse", "analyze", "and", "any", "array", "as", "asc", "asymmetric", "both", "case", "cast", "check",
        "collate", "column", "constraint", "create", "current_catalog", "current_date", "current_role", "current_time",
        "current_timestamp", "current_user", "default", "deferrable", "desc", "distinct", "do", "else", "end", "except",
        "false", "fetch", "for", "foreign", "from", "grant", "group", "having", "in", "initially", "intersect", "into",
        "lateral", "leading", "limit", "localtime", "localtimestamp", "not", "null", "offset", "on", "only", "or", "order",
        "placing", "primary", "references", "returning", "select", "session_user", "some", "symmetric", "system_user",
        "table", "then", "to", "trailing", "true", "union", "unique", "user", "using", "variadic", "when", "where", "window",
        "with",
        "authorization", "binary", "collation", "concurrently", "cross", "current_schema", "freeze", "full", "ilike",
        "inner", "is", "isnull", "join", "left", "like", "natural", "notnull", "outer", "overlaps", "right", "similar",
        "tablesample", "verbose");

    /// <summary>A security group name; EC2 reserves names starting with <c>sg-</c>.</summary>
    public static string SecurityGroupName(string environment, string database)
    {
        var name = PhysicalName.Create(PhysicalName.SecurityGroup, environment, database, "postgres");
        return name.StartsWith("sg-", StringComparison.Ordinal) ? PhysicalName.Create(PhysicalName.SecurityGroup, "db", name) : name;
    }

    /// <summary>A DB subnet group name: lower-case letters, digits and hyphens, at most 255 characters.</summary>
    public static string SubnetGroupName(string environment, string database) => PhysicalName.Create(255, environment, database);

    private static string CollapseHyphens(string text)
    {
        var builder = new StringBuilder(text.Length);
        foreach (var c in text)
        {
            if (c == '-' && builder.Length > 0 && builder[^1] == '-')
            {
                continue;
            }

            builder.Append(c);
        }

        return builder.ToString().Trim('-');
    }
}
