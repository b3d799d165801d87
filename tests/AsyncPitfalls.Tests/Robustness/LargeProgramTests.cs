using System;
using System.Collections.Immutable;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;

namespace AsyncPitfalls.Tests.Robustness;

/// <summary>
/// The interprocedural rules (the lock-order graph, transitive blocking) follow calls across the whole
/// program. A generated program with thousands of types, a deep inheritance chain, long call chains,
/// recursion and a call cycle through every type must complete without a stack overflow, and every rule
/// must give the same diagnostics on every run with concurrent execution on.
/// </summary>
public sealed class LargeProgramTests
{
    private const int ChainLength = 1500;
    private const int InheritanceDepth = 300;

    private static readonly AnalyzerOptions NoOptions = new(ImmutableArray<AdditionalText>.Empty);

    [Fact]
    public async Task DeepAndRecursiveProgram_CompletesAndFindsTheEndsOfItsChains()
    {
        var compilation = LargeProgram();
        AnalyzerRunner.AssertNoCompilerErrors(compilation, "generated program");

        var diagnostics = await AnalyzerRunner.RunAsBuildAsync(compilation, AnalyzerRunner.AllAnalyzers, NoOptions);

        // The async entry point reaches the Thread.Sleep at the far end of the chain of sync calls: AP1004 at the entry.
        var transitive = Assert.Single(diagnostics, d => d.Id == "AP1004");
        Assert.Equal("Entry.cs", transitive.Location.SourceTree!.FilePath);
        Assert.Contains($"'Thread.Sleep' (Chain.cs line {ChainLength + 2})", transitive.GetMessage(), StringComparison.Ordinal);
        // Lock cycles: A-then-B against B-then-A, and the ring (each type holds its lock while calling the next,
        // and the last calls the first), reported once per participating acquisition.
        var cycles = diagnostics.Where(d => d.Id == "AP3001").ToList();
        Assert.Equal(ChainLength + 2, cycles.Count);
        Assert.Equal(cycles.Count, cycles.Select(d => d.Location).Distinct().Count());
        Assert.Equal(ChainLength, cycles.Count(d => d.Location.SourceTree!.FilePath == "Ring.cs"));
        // Recursion (locked, mutual, async) and the inheritance chain are not pitfalls.
        Assert.Empty(diagnostics.Where(d => d.Id is not ("AP1004" or "AP3001")));
    }

    [Fact]
    public async Task EveryRule_GivesTheSameDiagnosticsOnThreeConcurrentRuns()
    {
        var gallery = SampleMarkerTests.Compile("samples/RuleGallery", OutputKind.DynamicallyLinkedLibrary, RuntimeReferences.AspNetCore);
        var program = LargeProgram();
        foreach (var compilation in new Compilation[] { gallery, program })
        {
            string? first = null;
            for (var run = 0; run < 3; run++)
            {
                // A fresh compilation each time, so no run profits from another's bound state.
                var fresh = compilation.RemoveAllSyntaxTrees().AddSyntaxTrees(compilation.SyntaxTrees);
                var diagnostics = await AnalyzerRunner.RunAsBuildAsync(fresh, AnalyzerRunner.AllAnalyzers, NoOptions);
                var rendered = string.Join("\n", diagnostics.Select(d => $"{d.Id} {d.Location.GetLineSpan()} {d.GetMessage()} {string.Join(",", d.AdditionalLocations.Select(l => l.GetLineSpan().ToString()))}"));
                Assert.NotEmpty(diagnostics);
                if (first is null)
                    first = rendered;
                else
                    Assert.Equal(first, rendered);
            }
        }
    }

    /// <summary>
    /// Thousands of types: a call chain of <see cref="ChainLength"/> sync methods (one type each) ending in
    /// <c>Thread.Sleep</c>, called from an async method; a ring of types whose methods each take their own
    /// lock and call the next (the last calls back into the first); an inheritance chain
    /// <see cref="InheritanceDepth"/> deep with an override at every level; direct, mutual and async recursion.
    /// </summary>
    private static CSharpCompilation LargeProgram()
    {
        var chain = new StringBuilder("using System.Threading;\nnamespace Large;\n");
        for (var i = 0; i < ChainLength; i++)
        {
            var next = i + 1 < ChainLength ? $"Chain{i + 1:D4}.Step(depth + 1);" : "Thread.Sleep(1);";
            chain.Append($"public static class Chain{i:D4} {{ public static void Step(int depth) {{ if (depth < 0) return; {next} }} }}\n");
        }

        var ring = new StringBuilder("namespace Large;\n");
        for (var i = 0; i < ChainLength; i++)
        {
            var next = $"Ring{(i + 1) % ChainLength:D4}";
            ring.Append($"public sealed class Ring{i:D4} {{ private static readonly object Gate = new(); public static void Visit(int hops) {{ if (hops <= 0) return; lock (Gate) {{ {next}.Visit(hops - 1); }} }} }}\n");
        }

        var inheritance = new StringBuilder("using System.Threading.Tasks;\nnamespace Large;\npublic class Level0000 { public virtual Task<int> DepthAsync() => Task.FromResult(0); public virtual int Depth() => 0; }\n");
        for (var i = 1; i < InheritanceDepth; i++)
        {
            inheritance.Append($"public class Level{i:D4} : Level{i - 1:D4} {{ public override async Task<int> DepthAsync() => await base.DepthAsync() + 1; public override int Depth() => base.Depth() + 1; }}\n");
        }

        const string Recursion = """
            using System.Threading;
            using System.Threading.Tasks;
            namespace Large;
            public static class Recursion
            {
                private static readonly object A = new();
                private static readonly object B = new();

                public static int Factorial(int n) => n <= 1 ? 1 : n * Factorial(n - 1);

                public static bool IsEven(int n) => n == 0 || IsOdd(n - 1);

                public static bool IsOdd(int n) => n != 0 && IsEven(n - 1);

                public static async Task<int> CountDownAsync(int n, CancellationToken cancellationToken)
                {
                    if (n == 0)
                        return 0;
                    await Task.Yield();
                    return 1 + await CountDownAsync(n - 1, cancellationToken);
                }

                public static void LockedRecursion(int n)
                {
                    lock (A)
                    {
                        if (n > 0)
                            LockedRecursion(n - 1);
                    }
                }

                public static void AThenB()
                {
                    lock (A)
                    {
                        lock (B)
                        {
                        }
                    }
                }

                public static void BThenA()
                {
                    lock (B)
                    {
                        lock (A)
                        {
                        }
                    }
                }
            }
            """;

        const string Entry = """
            using System.Threading.Tasks;
            namespace Large;
            public static class Entry
            {
                public static async Task RunAsync()
                {
                    await Task.Yield();
                    Chain0000.Step(0);
                    Ring0000.Visit(3);
                }
            }
            """;

        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var trees = new[] { ("Chain.cs", chain.ToString()), ("Ring.cs", ring.ToString()), ("Inheritance.cs", inheritance.ToString()), ("Recursion.cs", Recursion), ("Entry.cs", Entry) }
            .Select(file => CSharpSyntaxTree.ParseText(file.Item2, parseOptions, file.Item1));
        return CSharpCompilation.Create("Large", trees, RuntimeReferences.NetCore,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
    }
}
