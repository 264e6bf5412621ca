using System.CommandLine;
using Platform.Components.Rendering;

namespace Platform.Cli.Commands;

/// <summary>
/// <c>platform render &lt;spec&gt; --out &lt;dir&gt;</c>: writes <c>Pulumi.yaml</c> and the stack settings file, and
/// prints the commands that set the secret config values (never the values).
/// </summary>
internal static class RenderCommand
{
    public static Command Create(CliContext context)
    {
        var inputs = new SpecInputs();
        var output = new Option<string>("--out", "-o")
        {
            Description = "Directory to write Pulumi.yaml and Pulumi.<stack>.yaml to (created if missing).",
            HelpName = "dir",
            Required = true,
        };
        var command = new Command("render",
            "Write the spec's Pulumi YAML program and stack settings to a directory. Nothing is written when the spec is invalid or a mandatory guardrail fails.");
        inputs.AddTo(command);
        command.Options.Add(output);
        command.SetAction(async (parse, cancellationToken) =>
        {
            var result = await inputs.RunAsync(parse, context, cancellationToken);
            if (!result.Succeeded)
            {
                return await Reporting.ErrorsAsync(result, context);
            }

            await Reporting.WarningsAsync(result, context);
            await Reporting.ViolationsAsync(result.Policy, context);
            if (result.IsBlocked)
            {
                return ExitCodes.Invalid;
            }

            var directory = context.Resolve(parse.GetValue(output)!);
            if (File.Exists(directory))
            {
                throw new UsageException($"--out {parse.GetValue(output)} is a file; name a directory for {RenderedProgram.ProgramFileName} (it is created if missing).");
            }

            RenderedProgram rendered;
            try
            {
                Directory.CreateDirectory(directory);
                var program = Path.Combine(directory, RenderedProgram.ProgramFileName);
                rendered = await WriteProgramAsync(result.Plan, program, cancellationToken);
                await context.Stdout.WriteLineAsync($"wrote {program}");

                if (rendered.StackSettings is { } settings)
                {
                    var stackFile = Path.Combine(directory, rendered.StackSettingsFileName);
                    // The stack file may already hold encrypted secrets and the passphrase salt: merge, never overwrite.
                    var existing = File.Exists(stackFile) ? await File.ReadAllTextAsync(stackFile, cancellationToken) : null;
                    await File.WriteAllTextAsync(stackFile, StackSettingsFile.Merge(existing, settings), cancellationToken);
                    await context.Stdout.WriteLineAsync($"wrote {stackFile}");
                }
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
            {
                throw new UsageException($"Cannot write to {directory}: {ex.Message}");
            }
            catch (FormatException ex)
            {
                throw new UsageException($"Cannot update the stack settings in {directory}: {ex.Message}");
            }

            await context.Stdout.WriteLineAsync($"stack: {rendered.StackName} (create it with: pulumi stack select --create {rendered.StackName})");
            if (!rendered.SecretConfigKeys.IsEmpty)
            {
                await context.Stdout.WriteLineAsync($"Set these secret config values in {directory} before 'pulumi up' (Pulumi prompts for each value):");
                foreach (var line in rendered.SecretConfigCommands)
                {
                    await context.Stdout.WriteLineAsync($"  {line}");
                }
            }

            if (!rendered.UnsetConfigKeys.IsEmpty)
            {
                await context.Stdout.WriteLineAsync($"The target gives no value for these config keys; set them in {directory} or add them to the target:");
                foreach (var line in rendered.UnsetConfigCommands)
                {
                    await context.Stdout.WriteLineAsync($"  {line}");
                }
            }

            if (!rendered.SecretConfigKeys.IsEmpty || !rendered.UnsetConfigKeys.IsEmpty)
            {
                await context.Stdout.WriteLineAsync(RenderedProgram.ValueNote);
            }

            return ExitCodes.Ok;
        });
        return command;
    }

    // The program streams to a file beside Pulumi.yaml as it is rendered (memory stays flat however large the
    // environment), which then replaces Pulumi.yaml, so a failed render never leaves half a program behind.
    private static async Task<RenderedProgram> WriteProgramAsync(Platform.Components.Planning.ResourcePlan plan, string path, CancellationToken cancellationToken)
    {
        var partial = path + ".partial";
        try
        {
            RenderedProgram rendered;
            var file = new StreamWriter(partial, append: false, new System.Text.UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 1 << 16);
            await using (file)
            {
                rendered = PulumiYamlRenderer.Render(plan, file);
                await file.FlushAsync(cancellationToken);
            }

            File.Move(partial, path, overwrite: true);
            return rendered;
        }
        finally
        {
            File.Delete(partial);
        }
    }
}
