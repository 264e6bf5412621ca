using System.Text.Json.Nodes;

namespace Platform.Components.Tests.Rendering;

/// <summary>
/// The reader the rendering tests judge programs with types plain scalars as yaml.v3's <c>resolve</c> does
/// (resolve.go of go-yaml/yaml v3, which Pulumi YAML decodes every scalar with): its cases, one by one.
/// </summary>
public sealed class GoYamlScalarsTests
{
    [Theory]
    [InlineData("0x1F", "31")] // strconv.ParseInt(s, 0, 64): base prefixes
    [InlineData("0X1f", "31")]
    [InlineData("-0x1F", "-31")]
    [InlineData("0o17", "15")]
    [InlineData("0b101", "5")]
    [InlineData("-0b11", "-3")]
    [InlineData("0755", "493")] // a leading 0 is octal, as YAML 1.1 had it
    [InlineData("1_000", "1000")] // underscores dropped before parsing
    [InlineData("+12", "12")]
    [InlineData("00", "0")]
    [InlineData("08", "8")] // not octal, not an integer: yamlStyleFloat, 8.0
    [InlineData("1e3", "1000")]
    [InlineData(".5", "0.5")]
    [InlineData("-1.25", "-1.25")]
    [InlineData("18446744073709551615", "18446744073709551615")] // ParseUint's range
    [InlineData("+18446744073709551615", "18446744073709551615")] // signed: beyond ParseInt, and ParseUint takes no sign: a float (only number-or-text matters here, not float64's rounding)
    [InlineData(".5_0", "0.5")] // ParseFloat takes underscores between digits
    public void Numbers(string plain, string expected) =>
        Assert.Equal(decimal.Parse(expected, System.Globalization.CultureInfo.InvariantCulture),
            decimal.Parse(GoYamlScalars.Resolve(plain)!.ToJsonString(), System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture));

    [Theory]
    [InlineData("._5")] // ParseFloat of the text itself: an underscore only between digits
    [InlineData("1e400")] // out of float64's range: ParseFloat fails and the text stays
    [InlineData("0x")]
    [InlineData("+")]
    [InlineData("-")]
    [InlineData("2001-12-14")] // a timestamp, which Pulumi YAML keeps as its text
    [InlineData("yes")] // YAML 1.1's booleans are text to yaml.v3
    [InlineData("Off")]
    [InlineData("1.2.3")]
    [InlineData("0o8")]
    public void Text(string plain) => Assert.Equal(plain, GoYamlScalars.Resolve(plain)!.GetValue<string>());

    [Theory]
    [InlineData("true", true)]
    [InlineData("TRUE", true)]
    [InlineData("False", false)]
    public void Booleans(string plain, bool expected) => Assert.Equal(expected, GoYamlScalars.Resolve(plain)!.GetValue<bool>());

    [Theory]
    [InlineData("")]
    [InlineData("~")]
    [InlineData("Null")]
    public void Nulls(string plain) => Assert.Null(GoYamlScalars.Resolve(plain));

    [Theory]
    [InlineData(".inf")]
    [InlineData("-.INF")]
    [InlineData(".NaN")]
    [InlineData("<<")]
    public void SpecialValues_AreNeverTheirText(string plain) =>
        Assert.NotEqual(plain, (GoYamlScalars.Resolve(plain) as JsonValue)?.GetValue<string>());
}
