using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Reflection;
using AsyncPitfalls.Tests.Verifiers;
using ICSharpCode.Decompiler;
using ICSharpCode.Decompiler.CSharp.ProjectDecompiler;
using ICSharpCode.Decompiler.Metadata;
using Microsoft.CodeAnalysis;

namespace AsyncPitfalls.Bench;

/// <summary>
/// The real-code libraries (listed in bench/Shared/RealCodeLibraries.props, restored next to bench/AsyncPitfalls.RealCode's
/// program): their list, their decompiled sources and the references they compile against. Used by
/// bench/AsyncPitfalls.RealCode (every rule and fix over them) and bench/AsyncPitfalls.Benchmarks (their analyzer time
/// against the peers), each with the directory the libraries were restored to.
/// </summary>
public sealed class RealCodeLibraries
{
    private readonly string _directory;

    public RealCodeLibraries(string directory) => _directory = directory;

    /// <summary>Every library the project restores, as listed in RealCodeLibraries.props.</summary>
    public static IReadOnlyList<string> Listed(Assembly program)
        => program.GetCustomAttributes<AssemblyMetadataAttribute>().First(a => a.Key == "Libraries").Value!
            .Split(';', StringSplitOptions.RemoveEmptyEntries).ToList();

    /// <summary>The library's assembly, restored next to this program.</summary>
    public string AssemblyPath(string library) => Path.Combine(_directory, library + ".dll");

    /// <summary>One C# file per type, as ILSpy writes a project; done again on every run, so no stale sources are analyzed.</summary>
    public void Decompile(string library, string directory)
    {
        var assemblyPath = AssemblyPath(library);
        if (Directory.Exists(directory))
            Directory.Delete(directory, recursive: true);
        Directory.CreateDirectory(directory);
        using var module = new PEFile(assemblyPath);
        var resolver = new UniversalAssemblyResolver(assemblyPath, false, module.DetectTargetFrameworkId());
        resolver.AddSearchDirectory(_directory);
        var settings = new DecompilerSettings(ICSharpCode.Decompiler.CSharp.LanguageVersion.Latest) { ThrowOnAssemblyResolveErrors = false };
        new WholeProjectDecompiler(settings, resolver, null, resolver, null).DecompileProject(module, directory);
    }

    /// <summary>The decompiled files of a directory that <see cref="Decompile"/> wrote, in a stable order.</summary>
    public static IReadOnlyList<string> SourceFiles(string directory)
        => Directory.GetFiles(directory, "*.cs", SearchOption.AllDirectories).OrderBy(f => f, StringComparer.Ordinal).ToList();

    /// <summary>
    /// What the program restores beside the libraries for its own use, not what any library uses: Roslyn's workspace
    /// dependencies (for the code fix pass and the benchmark's own-sources corpus).
    /// </summary>
    private static readonly HashSet<string> ToolDependencies = new(StringComparer.OrdinalIgnoreCase)
    {
        "Humanizer.dll", "System.Composition.AttributedModel.dll", "System.Composition.Convention.dll", "System.Composition.Hosting.dll",
        "System.Composition.Runtime.dll", "System.Composition.TypedParts.dll",
    };

    /// <summary>
    /// The framework (the running one's, as <see cref="RuntimeReferences"/> lists it), and every assembly restored with the
    /// libraries except those compiled from source, the real-code program's own tools (Roslyn and its workspace, the decompiler, the analyzers and fixes) and copies of framework
    /// assemblies (they would define types twice).
    /// </summary>
    public IEnumerable<MetadataReference> References(IEnumerable<string> librariesFromSource)
    {
        var fromSource = librariesFromSource.Select(l => l + ".dll").ToHashSet(StringComparer.OrdinalIgnoreCase);
        var framework = RuntimeReferences.NetCore;
        var frameworkNames = framework.Select(r => Path.GetFileName(r.Display)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        var restored = Directory.GetFiles(_directory, "*.dll")
            .Where(path =>
            {
                var name = Path.GetFileName(path);
                return !fromSource.Contains(name) && !frameworkNames.Contains(name)
                    && !name.StartsWith("Microsoft.CodeAnalysis", StringComparison.Ordinal) && !name.StartsWith("ICSharpCode.", StringComparison.Ordinal)
                    && !name.StartsWith("AsyncPitfalls.", StringComparison.Ordinal) && !ToolDependencies.Contains(name);
            })
            .OrderBy(path => path, StringComparer.Ordinal)
            .Select(path => (MetadataReference)MetadataReference.CreateFromFile(path));
        return framework.Concat(restored);
    }

    /// <summary>The version the package shipped, without build metadata ("8.9.1+commit" or "3.3.2\n").</summary>
    public string VersionOf(string library)
    {
        var version = (FileVersionInfo.GetVersionInfo(AssemblyPath(library)).ProductVersion ?? "?").Trim();
        var metadata = version.IndexOfAny(new[] { '+', '\n', '\r', ' ' });
        return metadata >= 0 ? version[..metadata] : version;
    }
}
