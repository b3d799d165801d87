using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using RuntimeDemos.Infrastructure;

namespace RuntimeDemos.Demos.Coordination;

/// <summary>
/// The guides' TaskGroup in C#: children share a linked CancellationTokenSource; the first failure cancels
/// the siblings, and waiting for the group surfaces every failure (not the cancellations it caused).
/// </summary>
public sealed class TaskGroupDemo : IDemo
{
    public string Name => "task-group";
    public string Group => "coordination";
    public string Description => "structured concurrency: a group whose first failure cancels its siblings and that reports every failure";
    public string Rules => "AP5003, AP4004";

    public async Task<DemoReport> RunAsync(DemoContext context, CancellationToken cancellationToken)
    {
        var report = new DemoReport("group", "elapsed", "failures reported", "siblings cancelled");
        var longJob = context.Scaled(TimeSpan.FromSeconds(2));
        var shortJob = context.Scaled(TimeSpan.FromMilliseconds(100));

        // All succeed.
        var clock = Stopwatch.StartNew();
        var okGroup = new TaskGroup(cancellationToken);
        for (var i = 0; i < 3; i++)
            okGroup.Run(token => Task.Delay(shortJob, token));
        var okFailures = await okGroup.WaitAsync();
        report.AddRow("three jobs succeed", Measure.Ms(clock.Elapsed), Measure.N(okFailures.Count), Measure.N(okGroup.Cancelled));

        // Two fail early; three long siblings are cancelled instead of running to the end.
        clock.Restart();
        var group = new TaskGroup(cancellationToken);
        for (var i = 0; i < 3; i++)
            group.Run(token => Task.Delay(longJob, token));
        // Both failures wait on one shared delay, so the first one's cancellation cannot pre-empt the second.
        var failurePoint = Task.Delay(shortJob, cancellationToken);
        group.Run(_ => FailAfterAsync("payment service down", failurePoint));
        group.Run(_ => FailAfterAsync("inventory timed out", failurePoint));
        var failures = await group.WaitAsync();
        var elapsed = clock.Elapsed;
        report.AddRow("two fail after 100 ms", Measure.Ms(elapsed), $"{failures.Count} ({string.Join("; ", failures.Select(f => f.Message))})", Measure.N(group.Cancelled));

        return report.Conclude(
            $"The first failure cancelled the three long siblings, so the group ended after {Measure.Ms(elapsed)} instead of {Measure.Ms(longJob)}, and both failures were reported.",
            Check.Exactly("three succeed: failures reported", okFailures.Count, 0),
            Check.Exactly("two fail: failures reported", failures.Count, 2),
            Check.Exactly("two fail: siblings cancelled", group.Cancelled, 3),
            Check.Ratio("a long job / the failing group's time", longJob, elapsed, 2.0));
    }

    private static async Task FailAfterAsync(string message, Task failurePoint)
    {
        await failurePoint;
        throw new InvalidOperationException(message);
    }

    /// <summary>Children started with a shared token; the first failure cancels the rest.</summary>
    private sealed class TaskGroup
    {
        private readonly CancellationTokenSource _scope;
        private readonly List<Task> _children = new();

        public TaskGroup(CancellationToken cancellationToken) => _scope = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);

        public int Cancelled => _children.Count(c => c.IsCanceled);

        public void Run(Func<CancellationToken, Task> child) => _children.Add(RunChildAsync(child));

        /// <summary>Waits for every child and returns the failures (cancellations caused by a sibling's failure are not failures).</summary>
        public async Task<IReadOnlyList<Exception>> WaitAsync()
        {
            try
            {
                await Task.WhenAll(_children).Settled();
                return _children.Where(c => c.IsFaulted).Select(c => c.Exception!.InnerException!).ToList();
            }
            finally
            {
                _scope.Dispose();
            }
        }

        private async Task RunChildAsync(Func<CancellationToken, Task> child)
        {
            try
            {
                await child(_scope.Token);
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                await _scope.CancelAsync();
                throw;
            }
        }
    }
}
