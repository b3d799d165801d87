using System.Collections.Generic;
using System.Collections.Immutable;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using AsyncPitfalls.Baselines;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;
using static AsyncPitfalls.Tests.Baselines.BaselineTestHost;

namespace AsyncPitfalls.Tests.Baselines;

/// <summary>
/// The suppressor as a build and the IDE meet it: the baselined findings are suppressed, new ones report, and a
/// baseline it cannot read suppresses nothing.
/// </summary>
public sealed class BaselineSuppressorTests
{
    // AP1002 at line 10, AP1001 at line 16.
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

    /// <summary>Written by hand: the AP1002 finding in Orders.Worker.RunAsync, ordinal 0 (the hash as in BaselineFingerprintTests).</summary>
    private const string SleepBaseline = """
        {
          "version": 1,
          "findings": [
            {"rule": "AP1002", "file": "src/Orders/Worker.cs", "member": "M:Orders.Worker.RunAsync", "message": "26614844e9eb7459", "ordinal": 0}
          ]
        }
        """;

    [Fact]
    public async Task Build_BaselineOfEveryFinding_ReportsNothing()
    {
        var compilation = Compile(Worker);
        Assert.Equal(new[] { "AP1002 10", "AP1001 16" }, (await FindingsAsync(compilation)).Select(Describe));
        var baseline = await BaselineOfAsync(compilation);

        var reported = await AnalyzerRunner.RunAsBuildAsync(compilation, With(new BaselineSuppressor()), Options((BaselinePath, baseline)));

        Assert.Empty(reported);
    }

    [Fact]
    public async Task Build_HandWrittenBaseline_SuppressesThatFindingOnly()
    {
        var reported = await AnalyzerRunner.RunAsBuildAsync(Compile(Worker), With(new BaselineSuppressor()), Options((BaselinePath, SleepBaseline)));

        Assert.Equal(new[] { "AP1001 16" }, reported.Select(Describe));
    }

    [Fact]
    public async Task Build_SuppressedFindings_AreMarkedSuppressed()
    {
        var compilation = Compile(Worker);
        var options = new CompilationWithAnalyzersOptions(Options((BaselinePath, SleepBaseline)), onAnalyzerException: null, concurrentAnalysis: true, logAnalyzerExecutionTime: false, reportSuppressedDiagnostics: true);

        var all = await compilation.WithAnalyzers(With(new BaselineSuppressor()), options).GetAnalyzerDiagnosticsAsync(CancellationToken.None);

        Assert.Equal(new[] { ("AP1001", false), ("AP1002", true) }, all.Select(d => (d.Id, d.IsSuppressed)).OrderBy(p => p.Id));
    }

    [Fact]
    public async Task Build_NewFindingsReport_AfterInsertedLinesAndReorderedMembers()
    {
        var baseline = await BaselineOfAsync(Compile(Worker));
        const string Edited = """
            using System.Threading;
            using System.Threading.Tasks;

            namespace Orders;

            // Reordered, with lines inserted, and one new pitfall.
            class Worker
            {
                public async Task DrainAsync(Task<int> pending)
                {

                    var value = pending.Result;
                    await Task.Yield();
                }

                public async Task FlushAsync()
                {
                    Thread.Sleep(5);
                    await Task.Yield();
                }

                public async Task RunAsync()
                {
                    Thread.Sleep(10);
                    await Task.Yield();
                }
            }
            """;

        var reported = await AnalyzerRunner.RunAsBuildAsync(Compile(Edited), With(new BaselineSuppressor()), Options((BaselinePath, baseline)));

        Assert.Equal(new[] { "AP1002 18" }, reported.Select(Describe));
    }

    [Fact]
    public async Task Build_SecondIdenticalFindingInTheSameMember_IsReported()
    {
        var twice = Worker.Replace("        Thread.Sleep(10);", "        Thread.Sleep(10);\n        Thread.Sleep(10);");

        var reported = await AnalyzerRunner.RunAsBuildAsync(Compile(twice), With(new BaselineSuppressor()), Options((BaselinePath, SleepBaseline)));

        // Ordinal 0 (line 10) is baselined, ordinal 1 (line 11) is not.
        Assert.Equal(new[] { "AP1002 11", "AP1001 17" }, reported.Select(Describe));
    }

    [Fact]
    public async Task Ide_PerDocumentAnalysis_HonoursTheBaseline()
    {
        const string Other = """
            using System.Threading;
            using System.Threading.Tasks;

            namespace Orders;

            class Other
            {
                public async Task RunAsync()
                {
                    Thread.Sleep(10);
                    await Task.Yield();
                }
            }
            """;
        var compilation = Compile(("/repo/src/Orders/Worker.cs", Worker.Replace("        Thread.Sleep(10);", "        Thread.Sleep(10);\n        Thread.Sleep(10);")), ("/repo/src/Orders/Other.cs", Other));

        var reported = await AnalyzerRunner.RunAsIdeAsync(compilation, With(new BaselineSuppressor()), Options((BaselinePath, SleepBaseline)));

        Assert.Equal(
            new[] { "/repo/src/Orders/Other.cs AP1002 10", "/repo/src/Orders/Worker.cs AP1002 11", "/repo/src/Orders/Worker.cs AP1001 17" },
            reported.Select(d => d.Location.SourceTree!.FilePath + " " + Describe(d)));
    }

    [Fact]
    public async Task Ide_AgreesWithTheBuild_OnAFullBaseline()
    {
        var compilation = Compile(("/repo/src/Orders/Worker.cs", Worker), ("/repo/src/Orders/Copy.cs", Worker.Replace("class Worker", "class Copy")));
        var options = Options((BaselinePath, await BaselineOfAsync(compilation)));

        Assert.Empty(await AnalyzerRunner.RunAsIdeAsync(compilation, With(new BaselineSuppressor()), options));
        Assert.Empty(await AnalyzerRunner.RunAsBuildAsync(compilation, With(new BaselineSuppressor()), options));
    }

    [Theory]
    [InlineData("")]
    [InlineData("not json at all")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": \"AP1002\"")]
    [InlineData("{\"version\": 99, \"findings\": []}")]
    [InlineData("[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[")]
    [InlineData("{\"version\": 1, \"findings\": [{\"rule\": \"AP1002\", \"file\": 7, \"member\": null, \"message\": [], \"ordinal\": \"zero\"}]}")]
    public async Task GarbageBaseline_SuppressesNothing_AndDoesNotThrow(string text)
    {
        var compilation = Compile(Worker);

        // AnalyzerRunner fails the test on any analyzer exception (AD0001).
        var build = await AnalyzerRunner.RunAsBuildAsync(compilation, With(new BaselineSuppressor()), Options((BaselinePath, text)));
        var ide = await AnalyzerRunner.RunAsIdeAsync(compilation, With(new BaselineSuppressor()), Options((BaselinePath, text)));

        Assert.Equal(new[] { "AP1002 10", "AP1001 16" }, build.Select(Describe));
        Assert.Equal(new[] { "AP1002 10", "AP1001 16" }, ide.Select(Describe));
    }

    [Fact]
    public async Task NoBaselineFile_SuppressesNothing()
    {
        var reported = await AnalyzerRunner.RunAsBuildAsync(Compile(Worker), With(new BaselineSuppressor()), Options(("/repo/other.json", SleepBaseline)));

        Assert.Equal(new[] { "AP1002 10", "AP1001 16" }, reported.Select(Describe));
    }

    [Fact]
    public async Task BaselinePathFromTheBuildProperty_AnyFileName_PathsRelativeToItsOwnFolder()
    {
        // The file lives in /repo/build, so the source file is "../src/Orders/Worker.cs" from there; another
        // asyncpitfalls.baseline.json among the AdditionalFiles is not the one the property names.
        var baseline = SleepBaseline.Replace("\"src/Orders/Worker.cs\"", "\"../src/Orders/Worker.cs\"");
        var global = new Dictionary<string, string> { [BaselineSuppressor.BaselineProperty] = "/repo/build/legacy-findings.json" };
        var options = Options(global, (BaselinePath, "{\"version\": 1, \"findings\": []}"), ("/repo/build/legacy-findings.json", baseline));

        var reported = await AnalyzerRunner.RunAsBuildAsync(Compile(Worker), With(new BaselineSuppressor()), options);

        Assert.Equal(new[] { "AP1001 16" }, reported.Select(Describe));
    }

    [Fact]
    public async Task Baseline_IsParsedOncePerDistinctContent()
    {
        var suppressor = new BaselineSuppressor();
        var analyzers = With(suppressor);
        var compilation = Compile(Worker);

        // Three compilations' worth of texts with the same content (new SourceText instances each time), then an edit.
        for (var i = 0; i < 3; i++)
            await AnalyzerRunner.RunAsBuildAsync(compilation.Clone(), analyzers, Options((BaselinePath, SleepBaseline)));
        Assert.Equal(1, suppressor.ParseCount);

        var reported = await AnalyzerRunner.RunAsBuildAsync(compilation.Clone(), analyzers, Options((BaselinePath, SleepBaseline + "\n")));
        Assert.Equal(2, suppressor.ParseCount);
        Assert.Equal(new[] { "AP1001 16" }, reported.Select(Describe));
    }

    [Fact]
    public void EveryRule_HasItsOwnSuppression_WithTheJustification()
    {
        var suppressions = new BaselineSuppressor().SupportedSuppressions;
        var ruleIds = AnalyzerRunner.AllAnalyzers.SelectMany(a => a.SupportedDiagnostics).Select(d => d.Id).Distinct().OrderBy(id => id, System.StringComparer.Ordinal).ToList();

        Assert.NotEmpty(ruleIds);
        Assert.Equal(ruleIds, suppressions.Select(s => s.SuppressedDiagnosticId).OrderBy(id => id, System.StringComparer.Ordinal));
        Assert.Equal(suppressions.Length, suppressions.Select(s => s.Id).Distinct().Count());
        Assert.All(suppressions, s =>
        {
            Assert.Equal("APB" + s.SuppressedDiagnosticId.Substring(2), s.Id);
            Assert.Equal("in the AsyncPitfalls baseline", s.Justification.ToString());
        });
    }
}
