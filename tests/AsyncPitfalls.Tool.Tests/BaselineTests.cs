using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;

namespace AsyncPitfalls.Tool.Tests;

public sealed class BaselineTests
{
    [Fact]
    public async Task Baseline_WriteCheckPrune_AsATeamUsesIt()
    {
        using var sample = new SampleCode();
        var baseline = sample.PathOf("asyncpitfalls.baseline.json");

        // Day one: every current finding goes into the baseline, at the root (no .git here: the path's folder).
        var write = await ToolRunner.RunAsync("baseline", "write", sample.Root);
        Assert.True(write.ExitCode == 0, write.ToString());
        Assert.Contains("Wrote 3 finding(s)", write.Output);
        var entries = Entries(baseline);
        Assert.Equal(3, entries.Length);
        Assert.Contains(entries, e => e.Rule == "AP1002" && e.File == "Lib/Worker.cs" && e.Member == "M:Lib.Worker.RunAsync");
        Assert.Equal(new[] { "App/Program.cs", "Lib/Worker.cs", "Lib/Worker.cs" }, entries.Select(e => e.File).ToArray());
        Assert.DoesNotContain("\r", File.ReadAllText(baseline));

        var clean = await ToolRunner.RunAsync("baseline", "check", sample.PathOf("Sample.slnx"));
        Assert.True(clean.ExitCode == 0, clean.ToString());
        Assert.Contains("0 new, 0 fixed, 3 unchanged", clean.Output);

        // Unrelated edits move the findings' lines; a new pitfall is the only new finding.
        sample.Write("Lib/Worker.cs", "// a header comment\n\n" + SampleCode.Worker.Replace(
            "    public async void Fire()",
            "    public async Task PollAsync()\n    {\n        Thread.Sleep(5);\n        await Task.Yield();\n    }\n\n    public async void Fire()"));
        var added = await ToolRunner.RunAsync("baseline", "check", sample.Root);
        Assert.True(added.ExitCode == 1, added.ToString());
        Assert.Contains("1 new, 0 fixed, 3 unchanged", added.Output);
        Assert.Matches(@"Lib/Worker\.cs:16:\d+: warning AP1002: ", added.Output);

        // Fixing a baselined finding lists it as fixed; prune removes it and adds nothing.
        sample.Write("App/Program.cs", SampleCode.Program.Replace("Thread.Sleep(10);", "await Task.Delay(10);"));
        var fixedOne = await ToolRunner.RunAsync("baseline", "check", sample.Root);
        Assert.True(fixedOne.ExitCode == 1, fixedOne.ToString());
        Assert.Contains("1 new, 1 fixed, 2 unchanged", fixedOne.Output);
        Assert.Contains("App/Program.cs: AP1002 in", fixedOne.Output);

        var prune = await ToolRunner.RunAsync("baseline", "prune", sample.Root);
        Assert.True(prune.ExitCode == 0, prune.ToString());
        Assert.Contains("Removed 1 fixed finding(s)", prune.Output);
        var pruned = Entries(baseline);
        Assert.Equal(2, pruned.Length);
        Assert.DoesNotContain(pruned, e => e.File == "App/Program.cs");

        var afterPrune = await ToolRunner.RunAsync("baseline", "check", sample.Root);
        Assert.True(afterPrune.ExitCode == 1, afterPrune.ToString());
        Assert.Contains("1 new, 0 fixed, 2 unchanged", afterPrune.Output);
    }

    private sealed record Entry(string Rule, string File, string Member, string Message, int Ordinal);

    private static Entry[] Entries(string path)
    {
        using var document = JsonDocument.Parse(File.ReadAllText(path));
        Assert.Equal(1, document.RootElement.GetProperty("version").GetInt32());
        return document.RootElement.GetProperty("findings").EnumerateArray()
            .Select(e => new Entry(
                e.GetProperty("rule").GetString()!,
                e.GetProperty("file").GetString()!,
                e.GetProperty("member").GetString()!,
                e.GetProperty("message").GetString()!,
                e.GetProperty("ordinal").GetInt32()))
            .ToArray();
    }
}
