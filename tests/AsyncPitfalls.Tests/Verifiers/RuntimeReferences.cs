using System;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>
/// The running framework's assemblies as compile references, for the whole-program checks (the gallery, the
/// demos, the robustness suite), which also need ASP.NET Core. Rule tests use TestReferences.
/// </summary>
public static class RuntimeReferences
{
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_netCore = new(() => FromDirectory(FrameworkDirectory));
    private static readonly Lazy<ImmutableArray<MetadataReference>> s_aspNetCore = new(() => s_netCore.Value.AddRange(FromDirectory(AspNetCoreDirectory())));

    /// <summary>Microsoft.NETCore.App.</summary>
    public static ImmutableArray<MetadataReference> NetCore => s_netCore.Value;

    /// <summary>Microsoft.NETCore.App plus Microsoft.AspNetCore.App (for the demos, which host Kestrel).</summary>
    public static ImmutableArray<MetadataReference> AspNetCore => s_aspNetCore.Value;

    private static string FrameworkDirectory => Path.GetDirectoryName(typeof(object).Assembly.Location)!;

    private static string AspNetCoreDirectory()
    {
        var version = Path.GetFileName(FrameworkDirectory);
        var shared = Path.GetDirectoryName(Path.GetDirectoryName(FrameworkDirectory))!;
        var exact = Path.Combine(shared, "Microsoft.AspNetCore.App", version);
        if (Directory.Exists(exact))
            return exact;
        var major = version.Split('.')[0] + ".";
        return Directory.GetDirectories(Path.Combine(shared, "Microsoft.AspNetCore.App"))
            .Where(d => Path.GetFileName(d).StartsWith(major, StringComparison.Ordinal))
            .OrderBy(d => d, StringComparer.Ordinal)
            .Last();
    }

    private static ImmutableArray<MetadataReference> FromDirectory(string directory)
    {
        var trusted = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator).ToHashSet(StringComparer.Ordinal);
        return Directory.GetFiles(directory, "*.dll")
            .Where(path => trusted.Contains(path) || !directory.Equals(FrameworkDirectory, StringComparison.Ordinal))
            .Where(IsManagedAssembly)
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path))
            .ToImmutableArray();
    }

    private static bool IsManagedAssembly(string path)
    {
        try
        {
            System.Reflection.AssemblyName.GetAssemblyName(path);
            return true;
        }
        catch (BadImageFormatException)
        {
            return false;
        }
    }
}
