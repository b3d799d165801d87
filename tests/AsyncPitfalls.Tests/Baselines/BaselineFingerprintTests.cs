using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using Microsoft.CodeAnalysis;
using static AsyncPitfalls.Tests.Baselines.BaselineTestHost;

namespace AsyncPitfalls.Tests.Baselines;

/// <summary>Fingerprints survive unrelated edits (inserted lines, reordered members) and change with the finding.</summary>
public sealed class BaselineFingerprintTests
{
    private const string RunAsyncId = "M:Orders.Worker.RunAsync";
    private const string DrainAsyncId = "M:Orders.Worker.DrainAsync(System.Threading.Tasks.Task{System.Int32})";

    // SHA-256 of "'Thread.Sleep' blocks a thread-pool thread in async method 'RunAsync'; use 'await Task.Delay'", first 8 bytes.
    private const string SleepInRunAsync = "26614844e9eb7459";

    private const string Worker = """
        using System.Threading;
        using System.Threading.Tasks;

        namespace Orders;

        class Worker
        {
            public async Task RunAsync()
            {
                Thread.Sleep(10);
                await Task.Yield();
            }

            public async Task DrainAsync(Task<int> pending)
            {
                var value = pending.Result;
                await Task.Yield();
            }
        }
        """;

    [Fact]
    public async Task Compute_RuleRelativeFileMemberMessageHashOrdinal()
    {
        var entries = await EntriesAsync(Compile(Worker));

        var sleep = Assert.Single(entries, e => e.Rule == "AP1002");
        Assert.Equal(new BaselineEntry("AP1002", "src/Orders/Worker.cs", RunAsyncId, SleepInRunAsync, 0), sleep);
        var wait = Assert.Single(entries, e => e.Rule == "AP1001");
        Assert.Equal(("src/Orders/Worker.cs", DrainAsyncId, 0), (wait.File, wait.Member, wait.Ordinal));
        Assert.Matches("^[0-9a-f]{16}$", wait.Message);
    }

    [Fact]
    public async Task Fingerprints_SurviveInsertedLines()
    {
        var before = await EntriesAsync(Compile(Worker));
        var edited = "// A header comment\n\n" + Worker
            .Replace("    public async Task RunAsync()", "    private int _count;\n\n    /// <summary>Runs.</summary>\n    public async Task RunAsync()")
            .Replace("        Thread.Sleep(10);", "        _count++;\n\n        Thread.Sleep(10);");

        var after = await EntriesAsync(Compile(edited));

        Assert.Equal(Sorted(before), Sorted(after));
    }

    [Fact]
    public async Task Fingerprints_SurviveReorderedMembers()
    {
        const string Reordered = """
            using System.Threading;
            using System.Threading.Tasks;

            namespace Orders;

            class Worker
            {
                public async Task DrainAsync(Task<int> pending)
                {
                    var value = pending.Result;
                    await Task.Yield();
                }

                public async Task RunAsync()
                {
                    Thread.Sleep(10);
                    await Task.Yield();
                }
            }
            """;

        Assert.Equal(Sorted(await EntriesAsync(Compile(Worker))), Sorted(await EntriesAsync(Compile(Reordered))));
    }

    [Fact]
    public async Task Fingerprint_ChangesWithTheMessage()
    {
        var before = Assert.Single(await EntriesAsync(Compile(Worker)), e => e.Rule == "AP1001");
        var after = Assert.Single(await EntriesAsync(Compile(Worker.Replace("var value = pending.Result;", "pending.Wait();"))), e => e.Rule == "AP1001");

        Assert.Equal((before.File, before.Member, before.Ordinal), (after.File, after.Member, after.Ordinal));
        Assert.NotEqual(before.Message, after.Message);
    }

    [Fact]
    public async Task Fingerprint_ChangesWhenTheMemberMovesToAnotherType()
    {
        var moved = Worker.Replace("""
                public async Task RunAsync()
                {
                    Thread.Sleep(10);
                    await Task.Yield();
                }

            """, "") + """


            class Scheduler
            {
                public async Task RunAsync()
                {
                    Thread.Sleep(10);
                    await Task.Yield();
                }
            }
            """;

        var sleep = Assert.Single(await EntriesAsync(Compile(moved)), e => e.Rule == "AP1002");

        Assert.Equal(new BaselineEntry("AP1002", "src/Orders/Worker.cs", "M:Orders.Scheduler.RunAsync", SleepInRunAsync, 0), sleep);
    }

    [Fact]
    public async Task Ordinals_CountEqualFindingsInSourceOrder_LambdasBelongToTheirMember()
    {
        var source = Worker.Replace("        Thread.Sleep(10);", """
                    Thread.Sleep(10);
                    Thread.Sleep(20);
                    System.Func<Task> later = async () => { Thread.Sleep(30); await Task.Yield(); };
            """);
        var compilation = Compile(source);
        var findings = await FindingsAsync(compilation);

        var pairs = BaselineFingerprints.Compute(Enumerable.Reverse(findings), Root, tree => compilation.GetSemanticModel(tree), CancellationToken.None)
            .Where(p => p.Entry.Rule == "AP1002")
            .OrderBy(p => p.Diagnostic.Location.SourceSpan.Start)
            .Select(p => (Line: p.Diagnostic.Location.GetLineSpan().StartLinePosition.Line + 1, p.Entry.Member, p.Entry.Message == SleepInRunAsync, p.Entry.Ordinal))
            .ToList();

        Assert.Equal(new[] { (10, RunAsyncId, true, 0), (11, RunAsyncId, true, 1), (12, RunAsyncId, false, 0) }, pairs);
    }

    [Fact]
    public void NormalizeMessage_DigitRunsAndWhitespaceRuns()
    {
        Assert.Equal("Line 0 of x", BaselineFingerprints.NormalizeMessage("  Line 12 of\t\n x "));
        Assert.Equal("a0b0c", BaselineFingerprints.NormalizeMessage("a1b22c"));
    }

    [Fact]
    public void MessageHash_IsTheStartOfTheSha256OfTheNormalizedMessage()
    {
        // sha256("Line 0 of x") = 510a0b233cd62efe...
        Assert.Equal("510a0b233cd62efe", BaselineFingerprints.MessageHash("Line 0 of x"));
        Assert.Equal("510a0b233cd62efe", BaselineFingerprints.MessageHash("Line 734 of  x"));
        Assert.Equal("c8687a08aa5d6ed2", BaselineFingerprints.MessageHash("a\r\n b"));
    }

    [Theory]
    [InlineData("/repo", "/repo/src/A.cs", "src/A.cs")]
    [InlineData("/repo/", "/repo/src/A.cs", "src/A.cs")]
    [InlineData(@"C:\Repo", @"c:\repo\src\Orders\A.cs", "src/Orders/A.cs")]
    [InlineData("/repo/tools/..", "/repo/./src//A.cs", "src/A.cs")]
    [InlineData("/", "/src/A.cs", "src/A.cs")]
    [InlineData("/repo/build", "/repo/src/A.cs", "../src/A.cs")]
    [InlineData("/repo", "/repository/A.cs", "../repository/A.cs")]
    [InlineData("C:/repo/build/x", "c:/repo/src/A.cs", "../../src/A.cs")]
    [InlineData("C:/repo", "D:/repo/A.cs", "D:/repo/A.cs")]
    [InlineData("/repo", "src/A.cs", "src/A.cs")]
    [InlineData("", "src/A.cs", "src/A.cs")]
    public void RelativePath_ToTheBaselineFolder_SlashSeparated_WholePathWithoutACommonRoot(string directory, string path, string expected)
        => Assert.Equal(expected, BaselineFingerprints.RelativePath(directory, path));

    [Theory]
    [InlineData("/*m*/int Compute() => 1;", "M:C.Compute")]
    [InlineData("int Value { get { /*m*/return 1; } }", "P:C.Value")]
    [InlineData("int a = 1, b = /*m*/2;", "F:C.b")]
    [InlineData("void Run() { void Local() { /*m*/ } System.Action f = () => { }; }", "M:C.Run")]
    [InlineData("class Inner { void Deep() { /*m*/ } }", "M:C.Inner.Deep")]
    [InlineData("C(int x) { /*m*/ }", "M:C.#ctor(System.Int32)")]
    [InlineData("/*m*/ event System.Action Changed;", "E:C.Changed")]
    public void MemberId_IsTheInnermostDeclaredMember(string member, string expected)
    {
        var source = "namespace N { }\nclass C\n{\n    " + member + "\n}\n";
        Assert.Equal(expected, MemberAt(source));
    }

    [Fact]
    public void MemberId_TypeOutsideMembers_NamespaceLevelIsEmpty_TopLevelStatementsAreTheEntryPoint()
    {
        Assert.Equal("T:N.C", MemberAt("namespace N { class C : /*m*/System.Object { } }"));
        Assert.Equal("", MemberAt("namespace N { /*m*/using System; class C { } }"));
        Assert.Equal("M:Program.{Main}$(System.String[])", MemberAt("System.Action a = () => { /*m*/ };\nvoid Local() { }\n", OutputKind.ConsoleApplication));
    }

    private static string MemberAt(string source, OutputKind kind = OutputKind.DynamicallyLinkedLibrary)
    {
        var compilation = Compile(("/repo/A.cs", source)).WithOptions(new Microsoft.CodeAnalysis.CSharp.CSharpCompilationOptions(kind));
        var tree = compilation.SyntaxTrees.Single();
        return BaselineFingerprints.MemberId(compilation.GetSemanticModel(tree), source.IndexOf("/*m*/", System.StringComparison.Ordinal) + 5, CancellationToken.None);
    }

    private static BaselineEntry[] Sorted(System.Collections.Generic.IEnumerable<BaselineEntry> entries) => entries.OrderBy(e => e, BaselineEntry.Order).ToArray();
}
