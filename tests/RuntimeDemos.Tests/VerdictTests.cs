using System;
using System.Collections.Generic;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Tests;

/// <summary>
/// The verdict rule every demo concludes with (<see cref="Check"/>, <see cref="RatioClaim"/>, <see cref="DemoReport"/>),
/// judged on given numbers: nothing here is timed, so the machine's speed decides nothing.
/// </summary>
public sealed class VerdictTests
{
    private static readonly TimeSpan Fix = TimeSpan.FromMilliseconds(100);

    [Fact]
    public async Task RatioClaim_PitfallFasterThanItsFix_FailsAfterEveryAttempt()
    {
        // The connection-pooling case: the pitfall measured at 0.8x its fix, every time.
        var (_, claim) = await MeasureAsync(margin: 1.5, pitfallMs: [80, 80, 80, 80]);

        Assert.False(claim.Holds);
        Assert.Equal(RatioClaim.DefaultAttempts, claim.Ratios.Count);
        Assert.False(claim.ToCheck().Holds);
    }

    [Fact]
    public async Task RatioClaim_UnderTheMarginEveryAttempt_Fails()
    {
        var (_, claim) = await MeasureAsync(margin: 2.0, pitfallMs: [190, 150, 199, 500]);

        Assert.False(claim.Holds);
        Assert.Equal(new[] { 1.9, 1.5, 1.99 }, claim.Ratios);
    }

    [Fact]
    public async Task RatioClaim_EqualToItsFix_FailsForAnyMarginAboveOne()
    {
        var (_, claim) = await MeasureAsync(margin: 1.01, pitfallMs: [100, 100, 100]);

        Assert.False(claim.Holds);
    }

    [Fact]
    public async Task RatioClaim_OverTheMargin_PassesOnTheFirstAttempt()
    {
        var (last, claim) = await MeasureAsync(margin: 2.0, pitfallMs: [1200, 10]);

        Assert.True(claim.Holds);
        Assert.Equal(new[] { 12.0 }, claim.Ratios);
        Assert.Equal(TimeSpan.FromMilliseconds(1200), last.Pitfall);
    }

    [Fact]
    public async Task RatioClaim_AtTheMargin_Passes()
    {
        var (_, claim) = await MeasureAsync(margin: 2.0, pitfallMs: [200]);

        Assert.True(claim.Holds);
    }

    [Fact]
    public async Task RatioClaim_UnderThenOverTheMargin_PassesOnTheReMeasure_AndShowsTheEarlierAttempt()
    {
        var (last, claim) = await MeasureAsync(margin: 2.0, pitfallMs: [80, 300, 10]);

        Assert.True(claim.Holds);
        Assert.Equal(new[] { 0.8, 3.0 }, claim.Ratios);
        // The verdict is about the last attempt, and the report carries its numbers.
        Assert.Equal(TimeSpan.FromMilliseconds(300), last.Pitfall);
        var check = claim.ToCheck();
        Assert.Contains("3.0x", check.Measured);
        Assert.Contains("0.8x", check.Measured);
        Assert.Equal(">= 2.0x", check.Required);
    }

    [Fact]
    public async Task RatioClaim_OverTheMarginOnlyAfterTheLastAttempt_StillFails()
    {
        var (_, claim) = await MeasureAsync(margin: 2.0, pitfallMs: [100, 100], maxAttempts: 2);

        Assert.False(claim.Holds);
        Assert.Equal(2, claim.Ratios.Count);
    }

    [Theory]
    [InlineData(1.0)]
    [InlineData(0.5)]
    [InlineData(double.NaN)]
    public void RatioClaim_MarginOfOneOrLess_IsRefused(double margin)
    {
        Assert.Throws<ArgumentOutOfRangeException>(() => new RatioClaim("pitfall / fix", margin));
        Assert.Throws<ArgumentOutOfRangeException>(() => Check.Ratio("pitfall / fix", 3.0, 1.0, margin));
    }

    [Fact]
    public void RatioClaim_NoMoreMeasurementsOnceDecided()
    {
        var claim = new RatioClaim("pitfall / fix", 2.0).Add(300, 100);

        Assert.True(claim.Decided);
        Assert.Throws<InvalidOperationException>(() => claim.Add(300, 100));
    }

    [Fact]
    public void RatioClaim_NotMeasured_Fails()
    {
        Assert.False(new RatioClaim("pitfall / fix", 2.0).ToCheck().Holds);
    }

    [Theory]
    [InlineData(80, 100, 1.5, false)]   // pitfall faster than its fix
    [InlineData(100, 100, 1.5, false)]  // no difference
    [InlineData(140, 100, 1.5, false)]  // under the margin
    [InlineData(150, 100, 1.5, true)]   // at the margin
    [InlineData(1200, 100, 2.0, true)]  // well over
    [InlineData(0, 0, 2.0, false)]      // nothing measured on either side
    public void CheckRatio_HoldsOnlyAtOrOverTheMargin(double slowMs, double fastMs, double margin, bool holds)
    {
        var check = Check.Ratio("pitfall / fix", TimeSpan.FromMilliseconds(slowMs), TimeSpan.FromMilliseconds(fastMs), margin);

        Assert.Equal(holds, check.Holds);
    }

    [Fact]
    public void CheckCounts_JudgeTheGivenNumbers()
    {
        Assert.True(Check.AtMost("saved when the caller went on", 0, 4).Holds);
        Assert.False(Check.AtMost("saved when the caller went on", 5, 4).Holds);
        Assert.True(Check.AtLeast("alive after a full GC", 1, 1).Holds);
        Assert.False(Check.AtLeast("alive after a full GC", 0, 1).Holds);
        Assert.True(Check.Exactly("results", 10, 10).Holds);
        Assert.False(Check.Exactly("results", 9, 10).Holds);
        Assert.False(Check.Under("elapsed", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)).Holds);
        Assert.True(Check.NotUnder("elapsed", TimeSpan.FromMilliseconds(100), TimeSpan.FromMilliseconds(100)).Holds);
        Assert.False(Check.Observed("exception observed", false).Holds);
    }

    [Fact]
    public void PitfallReport_PitfallFasterThanItsFix_IsFail_AndPrintsTheNumbersAndTheMargin()
    {
        var claim = new RatioClaim("per-request time / shared time", 1.5);
        while (!claim.Decided)
            claim.Add(8, 10);
        var report = new DemoReport("client", "elapsed");
        report.AddRow("new HttpClient per request", "8 ms");
        report.AddRow("one shared HttpClient", "10 ms");
        report.Harm("new HttpClient per request", Check.Exactly("per request: TCP connections opened", 20, 20), claim.ToCheck());
        report.ConcludePitfall("A client per request took 0.8x as long.", Check.AtMost("shared: TCP connections opened", 0, 1));

        Assert.False(report.ClaimHolds);
        Assert.True(report.GoodVariantHolds);
        Assert.Equal(new[] { ("new HttpClient per request", false) }, report.Harms);
        var text = report.Render();
        Assert.Contains("FAIL", text);
        Assert.DoesNotContain("PASS", text);
        Assert.Contains("0.8x", text);
        Assert.Contains(">= 1.5x", text);
        Assert.Contains("NOT MET", text);
    }

    [Fact]
    public void PitfallReport_HarmOverTheMargin_AndGoodVariantDoingItsJob_IsPass()
    {
        var report = new DemoReport("variant", "elapsed");
        report.Harm("Thread.Sleep", new RatioClaim("Thread.Sleep time / Task.Delay time", 2.0).Add(1460, 120).ToCheck());
        report.ConcludePitfall("await Task.Delay finished 12.2x faster.", Check.Exactly("Task.Delay: waits at once", 64, 64));

        Assert.True(report.ClaimHolds);
        var text = report.Render();
        Assert.Contains("PASS", text);
        Assert.Contains("12.17x", text);
        Assert.Contains(">= 2.0x", text);
    }

    [Fact]
    public void PitfallReport_GoodVariantFailing_IsFail_EvenWithTheHarmShown()
    {
        var report = new DemoReport("variant", "elapsed");
        report.Harm(".Result", Check.Ratio(".Result time / awaited time", 900, 300, 2.0));
        report.ConcludePitfall("...", Check.Under("awaited: together", TimeSpan.FromMilliseconds(900), TimeSpan.FromMilliseconds(750)));

        Assert.False(report.GoodVariantHolds);
        Assert.False(report.ClaimHolds);
    }

    [Fact]
    public void PitfallReport_WithoutAHarmCheck_IsFail()
    {
        var report = new DemoReport("variant").ConcludePitfall("...", Check.Exactly("results", 10, 10));

        Assert.False(report.ClaimHolds);
    }

    [Fact]
    public void Report_OneCheckNotMet_IsFail_AndNamesIt()
    {
        var report = new DemoReport("variant", "elapsed").Conclude("Batches were faster.",
            Check.Exactly("batched: results", 40, 40),
            Check.Ratio("one-by-one time / batched time", 200, 100, 3.0));

        Assert.False(report.ClaimHolds);
        Assert.Contains("not met: one-by-one time / batched time (2.0x, required >= 3.0x)", report.Render());
    }

    [Fact]
    public void Report_WithoutChecks_IsFail()
    {
        Assert.False(new DemoReport("variant").Conclude("nothing judged").ClaimHolds);
    }

    [Fact]
    public async Task Remeasure_OutOfOrderEveryTime_FailsAfterTheLastAttempt()
    {
        var outcomes = new Queue<bool>([false, false, false, true]);
        var (inOrder, attempts) = await Remeasure.UntilAsync(() => Task.FromResult(outcomes.Dequeue()), ordered => ordered);

        Assert.False(inOrder);
        Assert.Equal(RatioClaim.DefaultAttempts, attempts);
        var check = Remeasure.Observed("handled in completion order", inOrder, attempts);
        Assert.False(check.Holds);
        Assert.Equal("yes", check.Required);
    }

    [Fact]
    public async Task Remeasure_InOrderOnTheSecondAttempt_Passes_AndSaysSo()
    {
        var outcomes = new Queue<bool>([false, true]);
        var (inOrder, attempts) = await Remeasure.UntilAsync(() => Task.FromResult(outcomes.Dequeue()), ordered => ordered);

        Assert.True(inOrder);
        Assert.Equal(2, attempts);
        Assert.Equal("yes (attempt 2 of at most 3)", Remeasure.Observed("handled in completion order", inOrder, attempts).Measured);
    }

    /// <summary>Runs <see cref="RatioClaim.MeasureAsync"/> over given pitfall times against a 100 ms fix.</summary>
    private static async Task<((TimeSpan Pitfall, TimeSpan Fix) Last, RatioClaim Claim)> MeasureAsync(double margin, double[] pitfallMs, int maxAttempts = RatioClaim.DefaultAttempts)
    {
        var attempts = new Queue<double>(pitfallMs);
        return await RatioClaim.MeasureAsync("pitfall time / fix time", margin,
            () => Task.FromResult((Pitfall: TimeSpan.FromMilliseconds(attempts.Dequeue()), Fix)),
            run => (run.Pitfall, run.Fix),
            maxAttempts);
    }
}
