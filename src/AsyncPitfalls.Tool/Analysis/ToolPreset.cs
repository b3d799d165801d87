using System;
using System.IO;

namespace AsyncPitfalls.Tool.Analysis;

/// <summary>The <c>AsyncPitfallsMode</c> presets (nuget/build/AsyncPitfalls.targets), as the --preset option names them.</summary>
internal enum ToolPreset
{
    Recommended,
    Strict,
    Suggestions,
    Tests,
    None,
}

internal static class ToolPresets
{
    public static readonly string Names = string.Join("|", Enum.GetNames<ToolPreset>());

    public static bool TryParse(string? text, out ToolPreset? preset)
    {
        preset = null;
        if (string.IsNullOrWhiteSpace(text))
            return true;
        foreach (var value in Enum.GetValues<ToolPreset>())
        {
            if (string.Equals(value.ToString(), text.Trim(), StringComparison.OrdinalIgnoreCase))
            {
                preset = value;
                return true;
            }
        }

        return false;
    }

    /// <summary>
    /// A global config that passes the preset to the analyzers as the package's build files do (CompilerVisibleProperty
    /// AsyncPitfallsMode). Its level is above the SDK's generated config, which holds the project's own (often empty) value.
    /// </summary>
    public static string ModeConfig(ToolPreset preset)
        => $"is_global = true\nglobal_level = 10000\nbuild_property.AsyncPitfallsMode = {preset}\n";

    /// <summary>
    /// What the package adds for Strict (nuget/config/AsyncPitfalls.Strict.globalconfig, embedded): every category as an
    /// error at the lowest global level, so a line of the project's own still wins, as in a build.
    /// </summary>
    public static string StrictConfig { get; } = ReadStrictConfig();

    private static string ReadStrictConfig()
    {
        using var stream = typeof(ToolPresets).Assembly.GetManifestResourceStream("AsyncPitfalls.Strict.globalconfig")
            ?? throw new InvalidOperationException("The Strict preset's global config is not embedded in the tool.");
        using var reader = new StreamReader(stream);
        return reader.ReadToEnd();
    }
}
