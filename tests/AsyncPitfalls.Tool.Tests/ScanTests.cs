using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace AsyncPitfalls.Tool.Tests;

public sealed class ScanTests : IClassFixture<SampleCodeFixture>
{
    private readonly SampleCode _sample;

    public ScanTests(SampleCodeFixture fixture) => _sample = fixture.Sample;

    [Fact]
    public async Task Scan_Table_SummarizesRulesAndProjects()
    {
        var run = await ToolRunner.RunAsync("scan", _sample.Root);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("3 finding(s) in 2 project(s)", run.Output);
        var ap1002 = Line(run.Output, "AP1002");
        Assert.Matches(@"^AP1002\s+2\s+warning\s+.*\s+App/Program\.cs:3:\d+$", ap1002);
        Assert.Matches(@"^AP2004\s+1\s+\w+\s+.*Lib/Worker\.cs:12:\d+$", Line(run.Output, "AP2004"));
        Assert.Matches(@"^App\s+1\s+0\s+1\s+0\s+App/App\.csproj$", Line(run.Output, "App "));
        Assert.Matches(@"^Lib\s+2\s", Line(run.Output, "Lib "));
        // Progress goes to stderr, so a redirected report stays clean.
        Assert.Contains("[2/2]", run.Errors);
        Assert.DoesNotContain("[2/2]", run.Output);
    }

    [Fact]
    public async Task Scan_Sarif_Is210WithRulesAndResults()
    {
        var file = _sample.PathOf("report.sarif");
        var run = await ToolRunner.RunAsync("scan", _sample.PathOf("Sample.slnx"), "--format", "sarif", "--output", file);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Equal("", run.Output);
        using var log = JsonDocument.Parse(File.ReadAllText(file));
        Assert.Equal("2.1.0", log.RootElement.GetProperty("version").GetString());
        var sarifRun = log.RootElement.GetProperty("runs")[0];
        var rules = sarifRun.GetProperty("tool").GetProperty("driver").GetProperty("rules").EnumerateArray().ToList();
        var rule = Assert.Single(rules, r => r.GetProperty("id").GetString() == "AP1002");
        Assert.False(string.IsNullOrEmpty(rule.GetProperty("shortDescription").GetProperty("text").GetString()));
        Assert.EndsWith("docs/rules/AP1002.md", rule.GetProperty("helpUri").GetString());
        Assert.Equal("AsyncPitfalls.Blocking", rule.GetProperty("properties").GetProperty("category").GetString());
        Assert.True(rules.Count >= 20);

        var results = sarifRun.GetProperty("results").EnumerateArray().ToList();
        Assert.Equal(3, results.Count);
        var sleep = Assert.Single(results, r => r.GetProperty("ruleId").GetString() == "AP1002"
            && r.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("artifactLocation").GetProperty("uri").GetString() == "Lib/Worker.cs");
        Assert.Equal("warning", sleep.GetProperty("level").GetString());
        Assert.Equal(7, sleep.GetProperty("locations")[0].GetProperty("physicalLocation").GetProperty("region").GetProperty("startLine").GetInt32());
        Assert.Equal("AP1002", rules[sleep.GetProperty("ruleIndex").GetInt32()].GetProperty("id").GetString());
    }

    [Fact]
    public async Task Scan_RulesFilter_ReportsOnlyThoseRules_AndFailsOnFindings()
    {
        var run = await ToolRunner.RunAsync("scan", _sample.Root, "--rules", "AP2004", "--fail-on-findings", "--format", "markdown");

        Assert.True(run.ExitCode == 1, run.ToString());
        Assert.Contains("| [AP2004](", run.Output);
        Assert.DoesNotContain("AP1002", run.Output);
        Assert.Contains("1 finding(s)", run.Output);
    }

    [Fact]
    public async Task Scan_FailOnFindings_NothingFound_ExitsZero()
    {
        var run = await ToolRunner.RunAsync("scan", _sample.Root, "--rules", "ap3001,AP4001", "--fail-on-findings", "--format", "html");

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.StartsWith("<!DOCTYPE html>", run.Output);
        Assert.Contains("0 finding(s)", run.Output);
    }

    [Fact]
    public async Task Scan_PresetStrict_MakesEveryFindingAnError_AndNoneSilencesThem()
    {
        var strict = await ToolRunner.RunAsync("scan", _sample.PathOf("Lib/Lib.csproj"), "--preset", "strict");
        var none = await ToolRunner.RunAsync("scan", _sample.PathOf("Lib/Lib.csproj"), "--preset", "None", "--fail-on-findings");

        Assert.True(strict.ExitCode == 0, strict.ToString());
        Assert.Contains("2 finding(s) in 1 project(s): 2 error(s), 0 warning(s)", strict.Output);
        Assert.True(none.ExitCode == 0, none.ToString());
        Assert.Contains("0 finding(s)", none.Output);
    }

    [Fact]
    public async Task Scan_MemoryLimitZero_DropsCompilationsAfterEveryProject_AndFindsTheSame()
    {
        var cached = await ToolRunner.RunAsync("scan", _sample.Root, "--format", "sarif");
        var dropped = await ToolRunner.RunAsync("scan", _sample.Root, "--format", "sarif", "--memory-limit", "0", "--max-parallelism", "1");

        Assert.True(dropped.ExitCode == 0, dropped.ToString());
        Assert.Contains("the cached compilations were dropped 2 time(s)", dropped.Errors);
        Assert.DoesNotContain("dropped", cached.Errors);
        Assert.Equal(cached.Output, dropped.Output);
    }

    [Fact]
    public async Task Scan_EditorConfig_IsHonoured()
    {
        using var sample = new SampleCode();
        sample.Write(".editorconfig", "root = true\n\n[*.cs]\ndotnet_diagnostic.AP1002.severity = none\ndotnet_diagnostic.AP2004.severity = error\n");

        var run = await ToolRunner.RunAsync("scan", sample.Root);

        Assert.True(run.ExitCode == 0, run.ToString());
        Assert.Contains("1 finding(s) in 2 project(s): 1 error(s)", run.Output);
        Assert.DoesNotContain("AP1002", run.Output);
    }

    [Theory]
    [InlineData("scan", "{root}", "--rules", "AP9999")]
    [InlineData("scan", "{root}", "--format", "xml")]
    [InlineData("scan", "{root}", "--preset", "Lenient")]
    [InlineData("scan", "{root}/missing")]
    [InlineData("baseline", "check", "{root}", "--baseline", "{root}/none.json")]
    public async Task UnusableInput_ExitsTwo_WithoutAnalyzing(params string[] args)
    {
        var run = await ToolRunner.RunAsync(args.Select(a => a.Replace("{root}", _sample.Root)).ToArray());

        Assert.True(run.ExitCode == 2, run.ToString());
        Assert.Contains("error:", run.Errors);
        Assert.DoesNotContain("Loading", run.Errors);
    }

    private static string Line(string text, string start)
        => text.Split('\n').FirstOrDefault(l => l.StartsWith(start, System.StringComparison.Ordinal))
            ?? throw new Xunit.Sdk.XunitException($"No line starts with '{start}' in:\n{text}");
}

public sealed class SampleCodeFixture : System.IDisposable
{
    public SampleCode Sample { get; } = new();

    public void Dispose() => Sample.Dispose();
}
