using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Tests.FixedVariants;

/// <summary>
/// A pitfall demo rebuilt from its fixed sources: the demo's own files (Demos/Name.cs and BadVariants/Name.Bad.cs,
/// as the code fixes left them) compiled into an assembly of their own, against the demos assembly this test
/// already runs for everything else (the infrastructure: <see cref="IDemo"/>, <see cref="DemoContext"/>, the
/// loopback server), and loaded into a collectible context that is unloaded after the run.
/// </summary>
internal sealed class FixedDemoLoader : IDisposable
{
    private readonly AssemblyLoadContext _context;

    private FixedDemoLoader(AssemblyLoadContext context, IDemo demo)
    {
        _context = context;
        Demo = demo;
    }

    public IDemo Demo { get; }

    /// <summary>Compiles and loads the fixed demo, or returns the compiler's errors.</summary>
    public static FixedDemoLoader? Load(Type demoType, Compilation fixedProject, List<string> problems)
    {
        var ownFiles = new[] { DemoProject.DemoPath(demoType), DemoProject.BadVariantPath(demoType) };
        var trees = fixedProject.SyntaxTrees.Where(tree => ownFiles.Contains(tree.FilePath)).ToList();
        var demosAssembly = MetadataReference.CreateFromFile(typeof(IDemo).Assembly.Location);
        var compilation = CSharpCompilation.Create(
            "RuntimeDemos.Fixed." + demoType.Name,
            trees,
            DemoProject.FrameworkReferences.Add(demosAssembly),
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

        using var image = new MemoryStream();
        var emitted = compilation.Emit(image);
        if (!emitted.Success)
        {
            problems.AddRange(emitted.Diagnostics.Where(d => d.Severity == DiagnosticSeverity.Error).Select(d => "the fixed demo does not build: " + d));
            return null;
        }

        image.Position = 0;
        // Nothing to resolve here: the infrastructure comes from the default context, so the fixed demo
        // implements the very IDemo the tests know.
        var context = new AssemblyLoadContext("fixed " + demoType.Name, isCollectible: true);
        var type = context.LoadFromStream(image).GetType(demoType.FullName!, throwOnError: true)!;
        return new FixedDemoLoader(context, (IDemo)Activator.CreateInstance(type)!);
    }

    public void Dispose() => _context.Unload();
}
