using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Resources;

/// <summary>
/// The guides' async context managers and async generators: a connection implementing IAsyncDisposable is
/// closed asynchronously by <c>await using</c> on the normal path and when the body throws; an async
/// iterator's <c>finally</c> (its cleanup) runs when the consumer breaks out of <c>await foreach</c> early.
/// </summary>
public sealed class AsyncResourcesDemo : IDemo
{
    private static readonly TimeSpan CloseTime = TimeSpan.FromMilliseconds(50);

    public string Name => "async-resources";
    public string Group => "resources";
    public string Description => "await using closes an IAsyncDisposable on every path; an async iterator's finally runs when the consumer stops early";
    public string Rules => "AP4005, AP2007";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var events = new List<string>();
        var closeTime = context.Scaled(CloseTime);

        await using (var connection = new Connection("db-1", events, closeTime))
            await connection.QueryAsync("select 1", cancellationToken);

        try
        {
            await using var connection = new Connection("db-2", events, closeTime);
            await connection.QueryAsync("select 1", cancellationToken);
            throw new InvalidOperationException("the query's result was rejected");
        }
        catch (InvalidOperationException)
        {
            events.Add("caller: handled the failure");
        }

        var read = 0;
        await foreach (var row in RowsAsync(events, cancellationToken))
        {
            events.Add($"consumer: row {row}");
            if (++read == 2)
                break;
        }

        var report = new DemoReport("#", "event");
        for (var i = 0; i < events.Count; i++)
            report.AddRow(Measure.N(i + 1), events[i]);

        return report.Conclude(
            "Both connections were closed asynchronously, the second before the caller handled its failure; the iterator's cleanup ran as soon as the consumer broke out after two rows.",
            Check.Observed("normal path: db-1 closed", events.Contains("db-1: closed")),
            Check.Observed("failure path: db-2 closed before the caller handled the failure",
                events.Contains("db-2: closed") && events.IndexOf("db-2: closed") < events.IndexOf("caller: handled the failure")),
            Check.Observed("early break: the iterator's finally ran last", events[^1] == "iterator: cleanup in finally", "yes", "no: " + events[^1]));
    }

    private static async IAsyncEnumerable<int> RowsAsync(List<string> events, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        events.Add("iterator: opened the cursor");
        try
        {
            for (var row = 1; row <= 10; row++)
            {
                await Task.Yield();
                cancellationToken.ThrowIfCancellationRequested();
                yield return row;
            }
        }
        finally
        {
            events.Add("iterator: cleanup in finally");
        }
    }

    /// <summary>A connection whose close is a network round trip: asynchronous, so it implements IAsyncDisposable.</summary>
    private sealed class Connection : IAsyncDisposable
    {
        private readonly string _name;
        private readonly List<string> _events;
        private readonly TimeSpan _closeTime;

        public Connection(string name, List<string> events, TimeSpan closeTime)
        {
            _name = name;
            _events = events;
            _closeTime = closeTime;
            _events.Add($"{name}: opened");
        }

        public async Task QueryAsync(string sql, CancellationToken cancellationToken)
        {
            await Task.Yield();
            cancellationToken.ThrowIfCancellationRequested();
            _events.Add($"{_name}: ran '{sql}'");
        }

        public async ValueTask DisposeAsync()
        {
            await Task.Delay(_closeTime);
            _events.Add($"{_name}: closed");
        }
    }
}
