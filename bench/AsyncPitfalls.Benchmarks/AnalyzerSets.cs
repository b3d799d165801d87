using System;
using System.Collections.Generic;
using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Benchmarks;

/// <summary>One product's analyzers, measured together.</summary>
public sealed record AnalyzerSet(string Name, ImmutableArray<DiagnosticAnalyzer> Analyzers)
{
    /// <summary>Every diagnostic id the set can report, each turned on (rules off by default included).</summary>
    public ImmutableDictionary<string, ReportDiagnostic> EnableEverything() =>
        Analyzers.SelectMany(a => a.SupportedDiagnostics)
            .Select(d => d.Id)
            .Distinct(StringComparer.Ordinal)
            .ToImmutableDictionary(id => id, _ => ReportDiagnostic.Warn);

    /// <summary>The analyzers of the set that report any of <paramref name="ids"/>.</summary>
    public IEnumerable<DiagnosticAnalyzer> Reporting(params string[] ids) =>
        Analyzers.Where(a => a.SupportedDiagnostics.Any(d => ids.Contains(d.Id, StringComparer.Ordinal)));

    public static string IdsOf(DiagnosticAnalyzer analyzer) =>
        string.Join("+", analyzer.SupportedDiagnostics.Select(d => d.Id).Distinct(StringComparer.Ordinal));
}

/// <summary>Loads AsyncPitfalls (referenced) and the peers (from their NuGet packages, resolved at restore).</summary>
public static class AnalyzerSets
{
    public const string AsyncPitfallsName = "AsyncPitfalls";

    public const string DriverBaselineName = "driver baseline";

    /// <summary>The rules; not the baseline suppressor, which does nothing without a baseline (--baseline-cost measures it).</summary>
    public static AnalyzerSet AsyncPitfalls() =>
        new(AsyncPitfallsName, Instantiate(typeof(global::AsyncPitfalls.DiagnosticIds).Assembly).Where(a => a is not DiagnosticSuppressor).ToImmutableArray());

    /// <summary>
    /// One analyzer that asks for every method body's operations and does nothing with them: what the driver
    /// allocates for any set of operation analyzers (binding every body, building its operation tree). A set's
    /// allocations beyond this baseline are its own callbacks' and whatever compiler work they cause.
    /// </summary>
    public static AnalyzerSet DriverBaseline() => new(DriverBaselineName, ImmutableArray.Create<DiagnosticAnalyzer>(new DriverBaselineAnalyzer()));

    /// <summary>The peers this build restored, by name, in a stable order.</summary>
    public static IReadOnlyList<AnalyzerSet> Peers(IReadOnlyCollection<string>? only)
    {
        var sets = new List<AnalyzerSet>();
        foreach (var metadata in typeof(AnalyzerSets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (!metadata.Key.StartsWith("Peer:", StringComparison.Ordinal) || string.IsNullOrEmpty(metadata.Value))
                continue;
            var name = metadata.Key["Peer:".Length..];
            if (only is not null && !only.Contains(name, StringComparer.OrdinalIgnoreCase))
                continue;
            var analyzers = AnalyzerAssemblies(metadata.Value)
                .SelectMany(path => Instantiate(LoadFrom(path)))
                .ToImmutableArray();
            sets.Add(new AnalyzerSet(name, analyzers));
        }
        return sets;
    }

    public static string RepositoryRoot =>
        typeof(AnalyzerSets).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().Single(a => a.Key == "RepositoryRoot").Value!;

    /// <summary>
    /// The C# analyzer assemblies of a package. Packages that ship one build per Roslyn version
    /// (<c>analyzers/dotnet/roslyn4.14/cs</c>) get the newest one this Roslyn can load; code fix assemblies are skipped.
    /// </summary>
    private static IEnumerable<string> AnalyzerAssemblies(string packageRoot)
    {
        var roslyn = typeof(Compilation).Assembly.GetName().Version!;
        var candidates = Directory.EnumerateFiles(Path.Combine(packageRoot, "analyzers"), "*.dll", SearchOption.AllDirectories)
            .Where(p => !p.Contains("CodeFix", StringComparison.OrdinalIgnoreCase))
            .Where(p => !p.Contains(Path.DirectorySeparatorChar + "vb" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
            .Where(p => !Path.GetDirectoryName(p)!.EndsWith("resources", StringComparison.OrdinalIgnoreCase))
            .ToList();
        var versioned = candidates
            .Select(p => (Path: p, Version: RoslynFolderVersion(p)))
            .Where(c => c.Version is not null && c.Version <= roslyn)
            .ToList();
        if (versioned.Count == 0)
            return candidates.Where(p => RoslynFolderVersion(p) is null && !IsSatelliteAssembly(p));
        var newest = versioned.Max(c => c.Version)!;
        return versioned.Where(c => c.Version == newest).Select(c => c.Path);
    }

    private static Version? RoslynFolderVersion(string path)
    {
        foreach (var part in path.Split(Path.DirectorySeparatorChar))
        {
            if (part.StartsWith("roslyn", StringComparison.Ordinal) && Version.TryParse(part["roslyn".Length..], out var version))
                return version;
        }
        return null;
    }

    private static bool IsSatelliteAssembly(string path) => path.EndsWith(".resources.dll", StringComparison.OrdinalIgnoreCase);

    private static readonly HashSet<string> s_probingDirectories = new(StringComparer.Ordinal);

    private static Assembly LoadFrom(string path)
    {
        lock (s_probingDirectories)
        {
            // Dependencies that sit next to an analyzer (VS Threading splits its analyzers over two assemblies).
            if (s_probingDirectories.Count == 0)
            {
                AssemblyLoadContext.Default.Resolving += (context, name) =>
                {
                    foreach (var directory in s_probingDirectories)
                    {
                        var candidate = Path.Combine(directory, name.Name + ".dll");
                        if (File.Exists(candidate))
                            return context.LoadFromAssemblyPath(candidate);
                    }
                    return null;
                };
            }
            s_probingDirectories.Add(Path.GetDirectoryName(path)!);
        }
        return AssemblyLoadContext.Default.LoadFromAssemblyPath(path);
    }

    private static ImmutableArray<DiagnosticAnalyzer> Instantiate(Assembly assembly)
    {
        Type[] types;
        try
        {
            types = assembly.GetTypes();
        }
        catch (ReflectionTypeLoadException ex)
        {
            types = ex.Types.Where(t => t is not null).ToArray()!;
        }
        return types
            .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t))
            .Where(t => t.GetCustomAttributes<DiagnosticAnalyzerAttribute>().Any(a => a.Languages.Contains(LanguageNames.CSharp)))
            .Where(t => t.GetConstructor(Type.EmptyTypes) is not null)
            .OrderBy(t => t.FullName, StringComparer.Ordinal)
            .Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!)
            .ToImmutableArray();
    }
}

// A measuring device that never ships: the rules for analyzers that do (release tracking, no Workspaces reference,
// netstandard2.0, extended analyzer rules) do not apply to it.
#pragma warning disable RS1036, RS1038, RS1041, RS2008
[DiagnosticAnalyzer(LanguageNames.CSharp)]
internal sealed class DriverBaselineAnalyzer : DiagnosticAnalyzer
{
    // Never reported; a set whose every diagnostic is off would not run at all.
    private static readonly DiagnosticDescriptor Unused = new("BENCH0001", "Driver baseline", "Never reported", "Benchmark", DiagnosticSeverity.Warning, isEnabledByDefault: true);

    public override ImmutableArray<DiagnosticDescriptor> SupportedDiagnostics { get; } = ImmutableArray.Create(Unused);

    public override void Initialize(AnalysisContext context)
    {
        context.EnableConcurrentExecution();
        context.ConfigureGeneratedCodeAnalysis(GeneratedCodeAnalysisFlags.None);
        context.RegisterOperationAction(static _ => { }, OperationKind.Invocation);
    }
}
#pragma warning restore RS1036, RS1038, RS1041, RS2008
