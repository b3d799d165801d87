using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Json;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Performance;

/// <summary>
/// The guides' async paginator: an async iterator follows the API's next-page links and yields items one by
/// one. The consumer gets the first item after one page, not after all of them; a consumer that stops early
/// (<c>Take(3)</c>) makes the iterator fetch only the pages it needed.
/// </summary>
public sealed class PaginatorDemo : IDemo
{
    private const int Total = 23;
    private const int PageSize = 5;
    private static readonly TimeSpan PageTime = TimeSpan.FromMilliseconds(100);

    public string Name => "paginator";
    public string Group => "performance";
    public string Description => $"an async iterator over a paginated API ({Total} items, {PageSize} per page): first item after one page, early stop fetches one page";
    public string Rules => "AP5003, AP4003";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        using var client = context.CreateClient();
        var delay = context.Scaled(PageTime).TotalSeconds.ToString("0.###", System.Globalization.CultureInfo.InvariantCulture);
        var pagesFetched = 0;

        async IAsyncEnumerable<int> ItemsAsync([EnumeratorCancellation] CancellationToken token = default)
        {
            for (int? page = 0; page is not null;)
            {
                var reply = await client.GetFromJsonAsync<LoopbackServer.PageReply>($"pages/{page}?size={PageSize}&total={Total}&delay={delay}", token)
                    ?? throw new HttpRequestException("empty page");
                pagesFetched++;
                foreach (var item in reply.Items)
                    yield return item;
                page = reply.Next;
            }
        }

        // Warm-up (connection, JSON serializer): the measured run compares pages, not first-call costs.
        await foreach (var _ in ItemsAsync(cancellationToken).Take(1).WithCancellation(cancellationToken))
        {
        }

        pagesFetched = 0;
        var clock = Stopwatch.StartNew();
        var firstItemAt = TimeSpan.Zero;
        var all = new List<int>();
        await foreach (var item in ItemsAsync(cancellationToken))
        {
            if (all.Count == 0)
                firstItemAt = clock.Elapsed;
            all.Add(item);
        }
        var allTime = clock.Elapsed;
        var allPages = pagesFetched;

        pagesFetched = 0;
        var firstThree = await ItemsAsync(cancellationToken).Take(3).ToListAsync(cancellationToken);
        var earlyStopPages = pagesFetched;

        var expectedPages = (Total + PageSize - 1) / PageSize;
        var report = new DemoReport("consumer", "items", "pages fetched", "first item at", "elapsed");
        report.AddRow("reads everything", Measure.N(all.Count), Measure.N(allPages), Measure.Ms(firstItemAt), Measure.Ms(allTime));
        report.AddRow("stops after 3 (Take)", Measure.N(firstThree.Count), Measure.N(earlyStopPages), "", "");
        return report.Conclude(
            $"All {Total} items arrived in order over {allPages} pages, the first after {Measure.Ms(firstItemAt)} of {Measure.Ms(allTime)}; stopping after 3 items fetched {earlyStopPages} page.",
            new Check("reads everything: items", all.SequenceEqual(Enumerable.Range(0, Total)) ? $"0..{Total - 1} in order" : $"{all.Count}, not 0..{Total - 1} in order", $"0..{Total - 1} in order", all.SequenceEqual(Enumerable.Range(0, Total))),
            Check.Exactly("reads everything: pages fetched", allPages, expectedPages),
            Check.Exactly("stops after 3: pages fetched", earlyStopPages, 1),
            Check.Ratio("all items' time / first item's time", allTime, firstItemAt, 2.0));
    }
}
