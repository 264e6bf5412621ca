using Platform.Components.Rendering;

namespace Platform.Components.Tests.Rendering;

public sealed class StackSettingsFileTests
{
    private const string Rendered = "config:\n  p:region: eu-west-1\n  p:vpcId: vpc-2\n";

    [Fact]
    public void Without_an_existing_file_the_rendered_settings_are_written_as_they_are()
    {
        Assert.Equal(Rendered, StackSettingsFile.Merge(null, Rendered));
        Assert.Equal(Rendered, StackSettingsFile.Merge("  \n", Rendered));
    }

    [Fact]
    public void Encrypted_values_the_salt_and_unknown_keys_are_kept_and_rendered_values_replace_old_ones_in_place()
    {
        const string existing = """
            secretsprovider: passphrase
            encryptionsalt: v1:salt
            config:
              p:token:
                secure: v1:cipher
              p:vpcId: vpc-1
              p:extra: "8080"
            """;

        var merged = StackSettingsFile.Merge(existing, Rendered);

        Assert.Equal(
            "secretsprovider: passphrase\nencryptionsalt: v1:salt\nconfig:\n  p:token:\n    secure: v1:cipher\n  p:vpcId: vpc-2\n  p:extra: \"8080\"\n  p:region: eu-west-1\n",
            merged);
    }

    [Fact]
    public void A_file_without_config_gets_the_rendered_config()
    {
        var merged = StackSettingsFile.Merge("encryptionsalt: v1:salt\n", Rendered);

        Assert.Equal("encryptionsalt: v1:salt\n" + Rendered, merged);
    }

    [Theory]
    [InlineData("- a list\n")]
    [InlineData("config: [unclosed\n")]
    public void A_malformed_existing_file_is_a_format_error(string existing)
    {
        Assert.Throws<FormatException>(() => StackSettingsFile.Merge(existing, Rendered));
    }
}
