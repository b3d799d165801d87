using System.Collections.Immutable;
using System.Linq;
using AsyncPitfalls.Internals;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace AsyncPitfalls.Tests.Internals;

/// <summary>The shared questions every rule family asks, tested on their own.</summary>
public sealed class SharedCoreTests
{
    private const string Library = """
        using System;
        using System.IO;
        using System.Runtime.CompilerServices;
        using System.Threading;
        using System.Threading.Tasks;

        public sealed class CustomAwaitable { public CustomAwaiter GetAwaiter() => new(); }
        public sealed class CustomAwaiter : INotifyCompletion
        {
            public bool IsCompleted => true;
            public void GetResult() { }
            public void OnCompleted(Action continuation) => continuation();
        }
        public sealed class AwaitableByExtension { }
        public static class AwaitableExtensions
        {
            public static TaskAwaiter GetAwaiter(this AwaitableByExtension value) => Task.CompletedTask.GetAwaiter();
        }
        public sealed class NotAwaitable { public int GetAwaiter() => 0; }

        public class Repository
        {
            public int Save(string name) => 0;
            public Task<int> SaveAsync(string name, CancellationToken cancellationToken = default) => Task.FromResult(0);
            public void Load(int id) { }
            [Obsolete] public Task LoadAsync(int id) => Task.CompletedTask;
            public void Flush() { }
            public Task FlushAsync(int timeout) => Task.CompletedTask;
            public void Delete(string name) { }
            public void DeleteAsync(string name) { }
            public T Find<T>(int id) => default!;
            public Task<T> FindAsync<T>(int id) => Task.FromResult<T>(default!);
        }
        public sealed class DerivedRepository : Repository { }
        public sealed class Queue { public void Push(int item) { } }
        public static class QueueExtensions
        {
            public static ValueTask PushAsync(this Queue queue, int item, CancellationToken cancellationToken) => default;
        }
        """;

    private static CSharpCompilation Compile(string source)
        => CSharpCompilation.Create("Core", new[] { CSharpSyntaxTree.ParseText(source) }, RuntimeReferences.NetCore,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));

    private static KnownTypes Types(Compilation compilation)
    {
        Assert.True(KnownTypes.TryCreate(compilation, out var types));
        return types;
    }

    [Fact]
    public void KnownTypes_AreOneSetPerCompilation_AndANewOneForAnEditedCompilation()
    {
        var compilation = Compile(Library);
        var first = Types(compilation);
        Assert.Same(first, Types(compilation));

        // An edit makes a new compilation: its symbols differ, so the set (and its caches) must too.
        var edited = compilation.AddSyntaxTrees(CSharpSyntaxTree.ParseText("public sealed class Added { }"));
        var second = Types(edited);
        Assert.NotSame(first, second);
        Assert.Same(edited, second.Compilation);
    }

    [Theory]
    [InlineData("System.Threading.Tasks.Task", true)]
    [InlineData("System.Threading.Tasks.ValueTask", true)]
    [InlineData("CustomAwaitable", true)]
    [InlineData("System.Runtime.CompilerServices.ConfiguredTaskAwaitable", true)]
    [InlineData("NotAwaitable", false)]
    [InlineData("System.String", false)]
    [InlineData("AwaitableByExtension", false)]
    public void IsAwaitable_RecognisesTheAwaitPattern(string typeName, bool expected)
    {
        var compilation = Compile(Library);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var types = Types(compilation);
        Assert.Equal(expected, types.IsAwaitable(compilation.GetTypeByMetadataName(typeName)));
    }

    [Fact]
    public void IsAwaitable_CountsGenericTasks_AndExtensionAwaitersWhenAModelIsGiven()
    {
        var compilation = Compile(Library);
        var types = Types(compilation);
        var taskOfInt = types.TaskOfT!.Construct(compilation.GetSpecialType(SpecialType.System_Int32));
        var valueTaskOfString = types.ValueTaskOfT!.Construct(compilation.GetSpecialType(SpecialType.System_String));
        Assert.True(types.IsAwaitable(taskOfInt));
        Assert.True(types.IsAwaitable(valueTaskOfString));

        var tree = compilation.SyntaxTrees[0];
        var model = compilation.GetSemanticModel(tree);
        var extensionAwaitable = compilation.GetTypeByMetadataName("AwaitableByExtension");
        Assert.True(types.IsAwaitable(extensionAwaitable, model, tree.Length));
    }

    [Theory]
    [InlineData("Repository", "Save", "SaveAsync")]
    [InlineData("DerivedRepository", "Save", "SaveAsync")]
    [InlineData("Repository", "Find", "FindAsync")]
    [InlineData("Repository", "Load", null)]    // the counterpart is obsolete
    [InlineData("Repository", "Flush", null)]   // different parameters
    [InlineData("Repository", "Delete", null)]  // not awaitable
    [InlineData("System.IO.Stream", "Flush", "FlushAsync")]
    [InlineData("System.IO.Stream", "Read", "ReadAsync")]
    [InlineData("System.IO.File", "ReadAllText", "ReadAllTextAsync")]
    [InlineData("System.IO.StreamReader", "ReadToEnd", "ReadToEndAsync")]
    [InlineData("System.Threading.SemaphoreSlim", "Wait", "WaitAsync")]
    [InlineData("System.Diagnostics.Process", "WaitForExit", "WaitForExitAsync")]
    [InlineData("System.Threading.Thread", "Sleep", null)]
    public void AsyncCounterparts_FindsNameAsyncWithTheSameParameters(string typeName, string methodName, string? expected)
    {
        var compilation = Compile(Library);
        var counterparts = AsyncCounterparts.For(Types(compilation));
        var type = compilation.GetTypeByMetadataName(typeName)!;
        var methods = type.GetMembers(methodName).OfType<IMethodSymbol>().Concat(type.BaseType?.GetMembers(methodName).OfType<IMethodSymbol>() ?? Enumerable.Empty<IMethodSymbol>()).ToList();
        Assert.NotEmpty(methods);

        var found = methods.Select(m => m.IsGenericMethod ? m.Construct(compilation.GetSpecialType(SpecialType.System_String)) : m)
            .Select(m => counterparts.Find(m, type))
            .FirstOrDefault(c => c is not null);
        Assert.Equal(expected, found?.Name);
    }

    [Fact]
    public void AsyncCounterparts_FindsAnExtensionInScope_OnlyWithASemanticModel()
    {
        var compilation = Compile(Library);
        var counterparts = AsyncCounterparts.For(Types(compilation));
        var queue = compilation.GetTypeByMetadataName("Queue")!;
        var push = queue.GetMembers("Push").OfType<IMethodSymbol>().Single();
        Assert.Null(counterparts.Find(push, queue));

        var tree = compilation.SyntaxTrees[0];
        Assert.Equal("PushAsync", counterparts.Find(push, queue, compilation.GetSemanticModel(tree), tree.Length)?.Name);
    }

    [Theory]
    [InlineData("async Task M(CancellationToken ct) { [|Work()|]; await Task.Yield(); }", "ct")]
    [InlineData("async Task M(CancellationToken a, CancellationToken b) { [|Work()|]; await Task.Yield(); }", null)]
    [InlineData("async Task M(CancellationToken ct) { using var cts = CancellationTokenSource.CreateLinkedTokenSource(ct); [|Work()|]; await Task.Yield(); }", "cts.Token")]
    [InlineData("async Task M(CancellationToken ct) { [|Work()|]; var later = ct; await Task.Yield(); }", "ct")]
    [InlineData("async Task M(CancellationToken ct) { CancellationToken unassigned; [|Work()|]; unassigned = ct; await Task.Yield(); }", "ct")]
    [InlineData("async Task M(CancellationToken ct) { Func<Task> f = async () => { [|Work()|]; await Task.Yield(); }; await f(); }", "ct")]
    [InlineData("async Task M(CancellationToken ct) { Func<CancellationToken, Task> f = static async token => { [|Work()|]; await Task.Yield(); }; await f(ct); }", "token")]
    [InlineData("async Task M(CancellationToken ct) { Func<Task> f = static async () => { [|Work()|]; await Task.Yield(); }; await f(); }", null)]
    [InlineData("async Task M() { [|Work()|]; await Task.Yield(); }", null)]
    [InlineData("async Task M(CancellationToken @event) { [|Work()|]; await Task.Yield(); }", "@event")]
    public void CancellationTokens_FindsTheTokenInScope(string member, string? expected)
    {
        TestFileMarkupParser.GetSpan("using System; using System.Threading; using System.Threading.Tasks;\nclass C { static void Work() { } " + member + " }", out var source, out var span);
        var compilation = Compile(source);
        Assert.Empty(compilation.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error));
        var tree = compilation.SyntaxTrees[0];
        var model = compilation.GetSemanticModel(tree);
        var call = tree.GetRoot().FindNode(span, getInnermostNodeForTie: true);
        var operation = model.GetOperation(call)!;
        var method = model.GetEnclosingSymbol(call.SpanStart) is IMethodSymbol { MethodKind: MethodKind.AnonymousFunction } lambda
            ? (IMethodSymbol)lambda.ContainingSymbol
            : (IMethodSymbol)model.GetEnclosingSymbol(call.SpanStart)!;

        var found = CancellationTokens.TryFindInScope(operation, method, Types(compilation), out var token);
        Assert.Equal(expected, found ? token.Expression : null);
    }
    [Theory]
    [InlineData(0)]
    [InlineData(4059)]
    [InlineData(4060)]
    [InlineData(4063)]
    [InlineData(4064)]
    [InlineData(8150)]
    public void SourceWords_FindsAWordAnywhereInTheBody_AcrossTheChunkSeams(int padding)
    {
        // "Enter" starts 32 characters after the padding: 4059 puts it at the end of the first 4096-character
        // chunk, 4060 and 4063 across the seam, 4064 just after it, 8150 across the second seam.
        var body = Body("{ /*" + new string('.', padding) + "*/ System.Threading.Monitor.Enter(this); }");
        Assert.True(SourceWords.MayMention(body, ImmutableArray.Create("Enter", "WaitOne")));
        Assert.True(SourceWords.MayMention(body, ImmutableArray.Create("WaitOne", "Enter")));
        Assert.False(SourceWords.MayMention(body, ImmutableArray.Create("WaitOne", "Release")));
    }

    [Fact]
    public void SourceWords_LooksOnlyInsideTheNode()
    {
        var body = Body("{ return; } // Enter WaitOne");
        Assert.False(SourceWords.MayMention(body, ImmutableArray.Create("Enter", "WaitOne")));
    }

    private static SyntaxNode Body(string body)
        => CSharpSyntaxTree.ParseText("class C { void M() " + body + " }").GetRoot().DescendantNodes().OfType<BlockSyntax>().First();
}
