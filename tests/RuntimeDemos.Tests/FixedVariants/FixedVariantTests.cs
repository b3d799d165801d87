using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Tests.FixedVariants;

/// <summary>
/// The strongest evidence that a code fix fixes: each pitfall demo's bad variant, rewritten by the package's own
/// code fixes, must compile with no new error and no diagnostic of the demo's rules left (nor moved to a caller),
/// and the demo, run on the fixed code, must no longer show the harm: measured against the good variant of the
/// same run by the demo's own threshold (<see cref="DemoReport.Harms"/>), while the good variant still does its job.
/// docs/demos.md lists which demos this covers and why the others have no fix.
/// </summary>
[Collection(nameof(DemoRuns))]
[TestCaseOrderer("RuntimeDemos.Tests.CatalogOrderer", "RuntimeDemos.Tests")]
public sealed class FixedVariantTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    private const double Scale = 0.5;

    /// <summary>Pitfall demos whose rules have a code fix that, rightly, is not offered on the bad variant.</summary>
    private static readonly Dictionary<string, string> NoFixOffered = new(StringComparer.Ordinal)
    {
        ["async-void"] = "AP2004: the method's caller is in another file, where the fix cannot add the await the new Task needs",
        ["deadlock"] = "AP3001: the fix swaps adjacent nested locks to the order used elsewhere; here each order is used once, and work sits between the two locks",
        ["connection-pooling"] = "AP4002: the client's base address is a parameter, which a static field cannot use",
        ["lost-update"] = "AP3003: the fix only hoists an awaited operand into a local; a read before the await and a write after it need a lock",
        ["thread-affine-lock"] = "AP3005 has no code fix: the lock must become a SemaphoreSlim, which is a design change",
    };

    /// <summary>
    /// Demos where the fix is applied but does not yet remove the harm: defects of a code fix, reported and being
    /// fixed. The test asserts the defect still shows, so it fails (and names this table) once the fix is repaired.
    /// </summary>
    private static readonly Dictionary<string, string> KnownDefects = new(StringComparer.Ordinal)
    {
    };

    public static TheoryData<string> PitfallDemos()
    {
        var names = new TheoryData<string>();
        foreach (var demo in DemoCatalog.All.Where(demo => File.Exists(DemoProject.BadVariantPath(demo.GetType()))))
            names.Add(demo.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(PitfallDemos))]
    public async Task FixRemovesTheHarm(string name)
    {
        var demo = DemoCatalog.Find(name)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var rules = demo.Rules.Split(", ");
        var outcome = await BadVariantFixer.FixAsync(DemoProject.BadVariantPath(demo.GetType()), rules, timeout.Token);

        if (NoFixOffered.TryGetValue(name, out var why))
        {
            Assert.True(outcome.Applied.Count == 0,
                $"{name}: a fix is now applied to the bad variant, where none was expected ({why}). Move the demo from NoFixOffered to the proven demos here and in docs/demos.md.\n{outcome.Describe()}");
            return;
        }

        var problems = new List<string>();
        problems.AddRange(outcome.NotOffered.Select(d => "no fix offered: " + d));
        problems.AddRange(outcome.Remaining.Select(d => "still reported after the fixes: " + d));
        problems.AddRange(outcome.NewCompilerDiagnostics.Select(e => "new compiler diagnostic: " + e));
        problems.AddRange(outcome.MovedElsewhere.Select(d => "new diagnostic in another file: " + d));
        if (outcome.Applied.Count == 0)
            problems.Add("no fix applied");
        if (problems.Count == 0)
            problems.AddRange(await HarmAfterTheFixAsync(demo, outcome, timeout.Token));

        if (KnownDefects.TryGetValue(name, out var defect))
        {
            Assert.True(outcome.Applied.Count > 0,
                $"{name}: the fix is no longer applied to the bad variant. If that is the repair of this defect ({defect}), move the demo to NoFixOffered, with the reason, here and in docs/demos.md.\n{outcome.Describe()}");
            Assert.True(problems.Count > 0,
                $"{name}: the fixed code now behaves like the good variant, so this defect is repaired: {defect}. Remove the demo from KnownDefects and from the list in docs/demos.md.");
            return;
        }
        Assert.True(problems.Count == 0, $"{name}: the code fix did not remove the pitfall.\n  {string.Join("\n  ", problems)}\n{outcome.Describe()}");
    }

    /// <summary>Runs the demo on the fixed code; what is wrong with the run, or nothing.</summary>
    private async Task<IReadOnlyList<string>> HarmAfterTheFixAsync(IDemo demo, FixOutcome outcome, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        using var loaded = FixedDemoLoader.Load(demo.GetType(), outcome.FixedProject, problems);
        if (loaded is null)
            return problems;

        var context = new DemoContext(fixture.Server, Scale, ConsoleOutput.ForConsole());
        var report = await Program.RunSafelyAsync(loaded.Demo, context, cancellationToken);
        if (HasHarm(report))
        {
            // A timing claim on a shared two-core machine: one more run after a pause, as DemoClaimTests does.
            await Task.Delay(TimeSpan.FromSeconds(2), cancellationToken);
            report = await Program.RunSafelyAsync(loaded.Demo, context, cancellationToken);
        }

        if (report.Harms.Count == 0)
            problems.Add("the demo reported no harm verdict (it must conclude with ConcludePitfall)");
        problems.AddRange(report.Harms.Where(h => h.Shown).Select(h => $"the fixed '{h.BadVariant}' still shows the harm"));
        if (!report.GoodVariantHolds)
            problems.Add("the good variant no longer did its job in this run");
        if (problems.Count > 0)
            problems.Add("the run:\n" + report.Render());
        return problems;
    }

    private static bool HasHarm(DemoReport report) => !report.GoodVariantHolds || report.Harms.Count == 0 || report.Harms.Any(h => h.Shown);
}

/// <summary>
/// The demos measure time and the thread pool: the claims of the catalog and of the fixed variants run one at a
/// time, never next to each other.
/// </summary>
[CollectionDefinition(nameof(DemoRuns))]
public sealed class DemoRuns;
