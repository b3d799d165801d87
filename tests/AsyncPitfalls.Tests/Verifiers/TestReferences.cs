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
