using System.Collections.Immutable;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using AsyncPitfalls.Rules;
using AsyncPitfalls.Tests.Samples;
using AsyncPitfalls.Tests.Verifiers;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Text;

namespace AsyncPitfalls.Tests.Configuration;

/// <summary>
/// AsyncPitfallsMode presets under the compiler's own handling of configuration, in a project built as a workspace
/// builds it (its .editorconfig and global configs applied per file): the preset sets what a rule reports with, and
/// every line a user writes (a rule's own, its category's, the all-analyzers line) wins over it. The package's build
/// files pass the mode as build_property.AsyncPitfallsMode and add Strict's global config, read here from nuget/config
/// as packed. eng/check-adoption.sh checks the same through real builds of the packed package.
/// </summary>
public sealed class PresetTests
{
    // AP1002 at line 8 (Warning by default, category AsyncPitfalls.Blocking); AP1001 at line 9 (Warning, off in Tests).
    private const string Source = """
        using System.Threading;
        using System.Threading.Tasks;

        class Worker
        {
            public async Task<int> RunAsync(Task<int> pending)
            {
                Thread.Sleep(10);
                var value = pending.Result;
                await Task.Yield();
                return value;
            }
        }
        """;

    private static readonly ImmutableArray<DiagnosticAnalyzer> Analyzers = ImmutableArray.Create<DiagnosticAnalyzer>(new ThreadSleepAnalyzer(), new SyncWaitAnalyzer());

    private static (string, string) EditorConfig(string lines) => ("/sample/.editorconfig", "root = true\n\n[*.cs]\n" + lines + "\n");

    private static (string, string) TeamGlobalConfig(string lines) => ("/sample/team.globalconfig", "is_global = true\n" + lines + "\n");

    private static (string, string)[] Mode(string mode, params (string, string)[] userFiles)
    {
        var files = userFiles.ToList();
        files.Add(("/sample/obj/Sample.GeneratedMSBuildEditorConfig.editorconfig", "is_global = true\nbuild_property.AsyncPitfallsMode = " + mode + "\n"));
        if (mode.Trim().Equals("Strict", System.StringComparison.OrdinalIgnoreCase))
            files.Add(("/sample/AsyncPitfalls.Strict.globalconfig", File.ReadAllText(RepositoryPaths.Combine("nuget", "config", "AsyncPitfalls.Strict.globalconfig"))));
        return files.ToArray();
    }

    /// <summary>"AP1002 Warning src/Worker.cs:8" for each diagnostic the build would keep (severity none drops it).</summary>
    private static Task<string[]> BuildAsync((string Path, string Text)[] configFiles, params (string Path, string Text)[] sources)
        => BuildAsync(configFiles, ImmutableDictionary<string, ReportDiagnostic>.Empty, sources);

    private static async Task<string[]> BuildAsync((string Path, string Text)[] configFiles, ImmutableDictionary<string, ReportDiagnostic> compilerOptions, params (string Path, string Text)[] sources)
    {
        using var workspace = new AdhocWorkspace();
        var projectId = ProjectId.CreateNewId();
        var solution = workspace.CurrentSolution.AddProject(ProjectInfo.Create(projectId, VersionStamp.Default, "Sample", "Sample", LanguageNames.CSharp,
            filePath: "/sample/Sample.csproj",
            compilationOptions: new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary).WithSpecificDiagnosticOptions(compilerOptions),
            metadataReferences: TestReferences.Framework));
        foreach (var (path, text) in sources.Length == 0 ? new[] { ("/sample/src/Worker.cs", Source) } : sources)
            solution = solution.AddDocument(DocumentId.CreateNewId(projectId), Path.GetFileName(path), SourceText.From(text), filePath: path);
        foreach (var (path, text) in configFiles)
            solution = solution.AddAnalyzerConfigDocument(DocumentId.CreateNewId(projectId), Path.GetFileName(path), SourceText.From(text), filePath: path);

        var project = solution.GetProject(projectId)!;
        var compilation = (await project.GetCompilationAsync())!;
        AnalyzerRunner.AssertNoCompilerErrors(compilation, "the preset sample");
        var diagnostics = await AnalyzerRunner.RunAsBuildAsync(compilation, Analyzers, project.AnalyzerOptions);
        return diagnostics
            .Select(d => $"{d.Id} {d.Severity} {d.Location.SourceTree!.FilePath.Replace("/sample/", "")}:{d.Location.GetLineSpan().StartLinePosition.Line + 1}")
            .OrderBy(line => line, System.StringComparer.Ordinal)
            .ToArray();
    }

    // ---- The presets themselves ----

    [Fact]
    public async Task NoMode_IsRecommended_EachRuleAtItsDefault()
        => Assert.Equal(new[] { "AP1001 Warning src/Worker.cs:9", "AP1002 Warning src/Worker.cs:8" }, await BuildAsync(Mode("")));

    [Theory]
    [InlineData("Strict")]
    [InlineData("strict")]
    public async Task Strict_InAnyCase_MakesEveryRuleAnError(string mode)
        => Assert.Equal(new[] { "AP1001 Error src/Worker.cs:9", "AP1002 Error src/Worker.cs:8" }, await BuildAsync(Mode(mode)));

    [Theory]
    [InlineData("Suggestions")]
    [InlineData(" SUGGESTIONS ")]
    public async Task Suggestions_InAnyCase_MakesEveryRuleASuggestion(string mode)
        => Assert.Equal(new[] { "AP1001 Info src/Worker.cs:9", "AP1002 Info src/Worker.cs:8" }, await BuildAsync(Mode(mode)));

    [Theory]
    [InlineData("None")]
    [InlineData("none")]
    public async Task None_InAnyCase_ReportsNothing(string mode) => Assert.Empty(await BuildAsync(Mode(mode)));

    [Fact]
    public async Task Tests_TurnsOffSyncWait_AndKeepsThreadSleep()
        => Assert.Equal(new[] { "AP1002 Warning src/Worker.cs:8" }, await BuildAsync(Mode("Tests")));

    [Fact]
    public async Task UnknownMode_KeepsTheDefaults()
        => Assert.Equal(new[] { "AP1001 Warning src/Worker.cs:9", "AP1002 Warning src/Worker.cs:8" }, await BuildAsync(Mode("Strcit")));

    // ---- Every form of a user's line wins over every preset ----

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Strict")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task RuleLine_InEditorConfig_WinsOverThePreset(string mode)
        => Assert.Contains("AP1001 Hidden src/Worker.cs:9", await BuildAsync(Mode(mode, EditorConfig("dotnet_diagnostic.AP1001.severity = silent"))));

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Strict")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task RuleLine_InAGlobalConfig_WinsOverThePreset(string mode)
        => Assert.Contains("AP1001 Hidden src/Worker.cs:9", await BuildAsync(Mode(mode, TeamGlobalConfig("dotnet_diagnostic.AP1001.severity = silent"))));

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Strict")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task CategoryLine_InEditorConfig_WinsOverThePreset(string mode)
        => Assert.Equal(new[] { "AP1001 Hidden src/Worker.cs:9", "AP1002 Hidden src/Worker.cs:8" },
            await BuildAsync(Mode(mode, EditorConfig("dotnet_analyzer_diagnostic.category-AsyncPitfalls.Blocking.severity = silent"))));

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Strict")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task CategoryLine_InAGlobalConfig_WinsOverThePreset(string mode)
        => Assert.Equal(new[] { "AP1001 Hidden src/Worker.cs:9", "AP1002 Hidden src/Worker.cs:8" },
            await BuildAsync(Mode(mode, TeamGlobalConfig("dotnet_analyzer_diagnostic.category-AsyncPitfalls.Blocking.severity = silent"))));

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task AllAnalyzersLine_InEditorConfig_WinsOverThePreset(string mode)
        => Assert.Equal(new[] { "AP1001 Hidden src/Worker.cs:9", "AP1002 Hidden src/Worker.cs:8" },
            await BuildAsync(Mode(mode, EditorConfig("dotnet_analyzer_diagnostic.severity = silent"))));

    [Theory]
    [InlineData("Recommended")]
    [InlineData("Suggestions")]
    [InlineData("Tests")]
    [InlineData("None")]
    public async Task AllAnalyzersLine_InAGlobalConfig_WinsOverThePreset(string mode)
        => Assert.Equal(new[] { "AP1001 Hidden src/Worker.cs:9", "AP1002 Hidden src/Worker.cs:8" },
            await BuildAsync(Mode(mode, TeamGlobalConfig("dotnet_analyzer_diagnostic.severity = silent"))));

    /// <summary>
    /// The one exception, documented in docs/configuration.md: Strict has to be configuration (in a build the compiler
    /// runs Info-level rules only when configuration raises them), at category level, and the compiler ranks a category
    /// line above the all-analyzers line. A category line of the user's does win (above).
    /// </summary>
    [Fact]
    public async Task AllAnalyzersLine_DoesNotLowerStrict()
        => Assert.Equal(new[] { "AP1001 Error src/Worker.cs:9", "AP1002 Error src/Worker.cs:8" },
            await BuildAsync(Mode("Strict", EditorConfig("dotnet_analyzer_diagnostic.severity = silent"))));

    [Theory]
    [InlineData("None")]
    [InlineData("Tests")]
    public async Task CompilerOption_WarningsAsErrors_CountsAsTheUsersLine(string mode)
        => Assert.Equal(new[] { "AP1001 Error src/Worker.cs:9" },
            (await BuildAsync(Mode(mode), ImmutableDictionary<string, ReportDiagnostic>.Empty.Add("AP1001", ReportDiagnostic.Error))).Where(d => d.StartsWith("AP1001", System.StringComparison.Ordinal)));

    [Fact]
    public async Task ALineWithASeverityTheCompilerRejects_DoesNotTurnARuleOnUnderNone()
        => Assert.Empty(await BuildAsync(Mode("None", EditorConfig("dotnet_analyzer_diagnostic.severity = warnings"))));

    [Fact]
    public async Task ALineTurningARuleOnUnderNone_AppliesOnlyToTheFilesOfItsSection()
        => Assert.Equal(new[] { "AP1002 Warning src/Worker.cs:8" },
            await BuildAsync(
                Mode("None", ("/sample/.editorconfig", "root = true\n\n[src/**.cs]\ndotnet_diagnostic.AP1002.severity = warning\n")),
                ("/sample/src/Worker.cs", Source),
                ("/sample/tests/WorkerTests.cs", Source.Replace("class Worker", "class WorkerTests"))));
}
