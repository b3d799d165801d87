using System;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Tests;

/// <summary>One loopback server for every demo, as the catalog runs them.</summary>
public sealed class LoopbackServerFixture : IAsyncLifetime
{
    public LoopbackServer Server { get; private set; } = null!;

    public async Task InitializeAsync() => Server = await LoopbackServer.StartAsync();

    public async Task DisposeAsync() => await Server.DisposeAsync();
}

/// <summary>
/// Every demo of the catalog, run in-process at a small scale: its claim (concurrent at least twice as fast,
/// peak concurrency at the cap and never above, the rate limiter within its rate, the circuit open after its
/// threshold, streaming's peak memory below loading everything, the pitfall worse than its fix...) must hold.
/// The tests of one class run one at a time, in catalog order (<see cref="CatalogOrderer"/>).
/// </summary>
[Collection(nameof(FixedVariants.DemoRuns))]
[TestCaseOrderer("RuntimeDemos.Tests.CatalogOrderer", "RuntimeDemos.Tests")]
public sealed class DemoClaimTests(LoopbackServerFixture fixture) : IClassFixture<LoopbackServerFixture>
{
    /// <summary>
    /// Small enough to run the catalog in about a minute, large enough that timer resolution and a busy
    /// two-core machine do not decide a claim.
    /// </summary>
    private const double Scale = 0.5;

    public static TheoryData<string> Demos()
    {
        var names = new TheoryData<string>();
        foreach (var demo in DemoCatalog.All)
            names.Add(demo.Name);
        return names;
    }

    [Theory]
    [MemberData(nameof(Demos))]
    public async Task ClaimHolds(string name)
    {
        var demo = DemoCatalog.Find(name)!;
        using var timeout = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var context = new DemoContext(fixture.Server, Scale, ConsoleOutput.ForConsole());

        var report = await Program.RunSafelyAsync(demo, context, timeout.Token);
        if (report.ClaimHolds)
            return;

        // The claims are about time on a shared two-core machine, where `dotnet test` runs the other test
        // project at the same moment: a stall of the whole process can bunch timers together. One more run,
        // after a pause; a claim that is really broken fails both.
        await Task.Delay(TimeSpan.FromSeconds(2), timeout.Token);
        var retry = await Program.RunSafelyAsync(demo, context, timeout.Token);
        Assert.True(retry.ClaimHolds, $"{name}: the claim did not hold, twice.\n{report.Render()}\n{retry.Render()}");
    }

    [Fact]
    public void Catalog_NamesAreUnique_AndEveryDemoIsDescribed()
    {
        Assert.Equal(DemoCatalog.All.Count, DemoCatalog.All.Select(d => d.Name).Distinct(StringComparer.OrdinalIgnoreCase).Count());
        Assert.All(DemoCatalog.All, d =>
        {
            Assert.False(string.IsNullOrWhiteSpace(d.Description));
            Assert.False(string.IsNullOrWhiteSpace(d.Group));
            Assert.Matches(@"^AP\d{4}(, AP\d{4})*$", d.Rules);
        });
    }
}

/// <summary>
/// Runs the demos in catalog order, as <c>all</c> does. Order matters for the pitfall demos that measure the
/// thread pool (sleep-vs-delay, pool-starvation): the pool keeps threads a blocking demo made it add for a while,
/// and the catalog runs each of those demos' good variant before its bad one.
/// </summary>
public sealed class CatalogOrderer : Xunit.Sdk.ITestCaseOrderer
{
    public System.Collections.Generic.IEnumerable<TTestCase> OrderTestCases<TTestCase>(System.Collections.Generic.IEnumerable<TTestCase> testCases)
        where TTestCase : Xunit.Abstractions.ITestCase
        => testCases.OrderBy(testCase => testCase.TestMethodArguments is [string name]
            ? DemoCatalog.All.Select((demo, index) => (demo, index)).First(d => d.demo.Name == name).index
            : -1);
}
