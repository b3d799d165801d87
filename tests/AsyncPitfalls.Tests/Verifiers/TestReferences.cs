using System.Collections.Generic;
using Microsoft.CodeAnalysis;
#if ROSLYN_FLOOR
using System.IO;
using System.Linq;
using System.Reflection;
#endif

namespace AsyncPitfalls.Tests.Verifiers;

/// <summary>The framework the rule tests compile against, from Basic.Reference.Assemblies: nothing is downloaded at test time.</summary>
public static class TestReferences
{
    /// <summary>No reference package: the framework's assemblies come as <see cref="Framework"/> instead.</summary>
    public static Microsoft.CodeAnalysis.Testing.ReferenceAssemblies None { get; } = new(
#if ROSLYN_FLOOR
        "net8.0");
#else
        "net10.0");
#endif

    /// <summary>
    /// netstandard2.0 (NETStandard.Library 2.0.3, which every netstandard2.0 project of the solution restores into
    /// the NuGet cache): a framework without .NET 6's APIs (Task.WaitAsync), for fixes that must check the target.
    /// </summary>
    public static IReadOnlyList<MetadataReference> NetStandard20 => s_netStandard20.Value;

    private static readonly System.Lazy<IReadOnlyList<MetadataReference>> s_netStandard20 = new(() =>
    {
        var packages = System.Environment.GetEnvironmentVariable("NUGET_PACKAGES") is { Length: > 0 } configured
            ? configured
            : System.IO.Path.Combine(System.Environment.GetFolderPath(System.Environment.SpecialFolder.UserProfile), ".nuget", "packages");
        var netstandard = System.IO.Path.Combine(packages, "netstandard.library", "2.0.3", "build", "netstandard2.0", "ref", "netstandard.dll");
        return System.IO.File.Exists(netstandard)
            ? new[] { MetadataReference.CreateFromFile(netstandard) }
            : throw new System.InvalidOperationException($"netstandard2.0's reference assembly is not at {netstandard}: restore the solution first.");
    });

#if ROSLYN_FLOOR
    /// <summary>
    /// .NET 8, the floor's own framework. Basic.Reference.Assemblies' API is built for Roslyn 4.11, so on the
    /// Roslyn 4.8 floor the reference assemblies it embeds are read as resources instead of through that API.
    /// </summary>
    public static IReadOnlyList<MetadataReference> Framework { get; } = Embedded("Basic.Reference.Assemblies.Net80", "net80.");

    /// <summary>The package embeds each reference assembly as a resource named <c>net80.System.Runtime</c> and so on.</summary>
    private static IReadOnlyList<MetadataReference> Embedded(string assemblyName, string prefix)
    {
        var assembly = Assembly.Load(assemblyName);
        var references = assembly.GetManifestResourceNames()
            .Where(name => name.StartsWith(prefix, System.StringComparison.Ordinal))
            .OrderBy(name => name, System.StringComparer.Ordinal)
            .Select(name =>
            {
                using var stream = assembly.GetManifestResourceStream(name)!;
                return (MetadataReference)MetadataReference.CreateFromStream(stream, filePath: name.Substring(prefix.Length) + ".dll");
            })
            .ToList();
        return references.Count > 100 ? references : throw new System.InvalidOperationException($"{assemblyName} embeds {references.Count} reference assemblies under '{prefix}'.");
    }
#else
    /// <summary>.NET 10.</summary>
    public static IReadOnlyList<MetadataReference> Framework { get; } = [.. Basic.Reference.Assemblies.Net100.References.All];
#endif
}
